//! Tokens signed with a private key, as template-rest issues them (`EdDSA`, `kid` = the key's
//! RFC 7638 thumbprint, its keys at `/.well-known/jwks.json`), verified here with the public
//! key alone (`JWT_PUBLIC_KEY`) or the issuer's key set fetched over real HTTP
//! (`JWT_JWKS_URL`, served by a small axum server in the test). Another key, an HS256 token
//! whose secret is the public key (algorithm confusion), another audience and another issuer
//! are refused; a rotated key (an unknown `kid`) makes the service fetch the set again, and
//! made-up `kid`s cannot make it fetch in a loop.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use hyper::{Method, StatusCode};
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::service::server;
use crate::support::{InventoryStub, NatsServer, TestApp, TestDb, config};

const KEY_A: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGc8EfYAtgZ4KZp/jb7yDK1PZKvgx8KoAibWTJXG+E5E
-----END PRIVATE KEY-----
";
const PUBLIC_A: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAf7mFV2CdvsbRnDEbpsybEhh1/n3IBAkDiN79pmS13h8=
-----END PUBLIC KEY-----
";
const KEY_B: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDkDSR381x3RMmponTGKLkGjlbhjdhgD2pO5wzmoweWK
-----END PRIVATE KEY-----
";

/// A key-set server whose keys can change, counting the fetches.
#[derive(Clone, Default)]
struct Issuer {
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Issuer {
    /// Serves the set on a loopback port; returns its URL.
    async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let app = axum::Router::new()
            .route("/.well-known/jwks.json", axum::routing::get(key_set))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/.well-known/jwks.json")
    }

    /// Publishes the public half of `private_pem`.
    fn publish(&self, private_pem: &str) {
        self.keys.lock().expect("keys").push(jwk(private_pem));
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

async fn key_set(State(issuer): State<Issuer>) -> Json<Value> {
    issuer.fetches.fetch_add(1, Ordering::SeqCst);
    Json(json!({ "keys": *issuer.keys.lock().expect("keys") }))
}

/// The public JWK of a private key, as template-rest publishes it.
fn jwk(private_pem: &str) -> Value {
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("key");
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).expect("jwk");
    jwk.common.key_id = Some(kid(private_pem));
    serde_json::to_value(jwk).expect("JSON")
}

/// The RFC 7638 thumbprint of a key: the `kid` template-rest writes.
fn kid(private_pem: &str) -> String {
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("key");
    let jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).expect("jwk");
    jwk.thumbprint(ThumbprintHash::SHA256).expect("thumbprint")
}

/// Claims as template-rest writes them.
fn claims() -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({
        "sub": Uuid::now_v7(), "role": "user", "iss": "template-rest", "aud": "template-rest",
        "iat": now, "exp": now + 600, "jti": Uuid::new_v4(),
    })
}

fn ed25519(private_pem: &str, kid: &str, claims: &Value) -> String {
    let header = Header { kid: Some(kid.to_owned()), ..Header::new(Algorithm::EdDSA) };
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, claims, &key).expect("signs")
}

/// An algorithm-confusion token: HS256, with the issuer's public key as the secret.
fn hs256_with_public_key(kid: &str) -> String {
    let header = Header { kid: Some(kid.to_owned()), ..Header::new(Algorithm::HS256) };
    let key = EncodingKey::from_secret(PUBLIC_A.as_bytes());
    jsonwebtoken::encode(&header, &claims(), &key).expect("signs")
}

async fn status(app: &TestApp, token: &str) -> StatusCode {
    app.request(Method::GET, "/api/v1/orders", Some(token)).await.status
}

/// Every token but the good one is refused, with a 401 problem.
async fn assert_only_key_a_passes(app: &TestApp, kid_a: &str) {
    assert_eq!(status(app, &ed25519(KEY_A, kid_a, &claims())).await, StatusCode::OK);
    let (mut foreign, mut stranger) = (claims(), claims());
    foreign["aud"] = json!("another-service");
    stranger["iss"] = json!("another-issuer");
    let refused = [
        ("another key under the same kid", ed25519(KEY_B, kid_a, &claims())),
        ("HS256 with the public key as secret", hs256_with_public_key(kid_a)),
        ("another audience", ed25519(KEY_A, kid_a, &foreign)),
        ("another issuer", ed25519(KEY_A, kid_a, &stranger)),
    ];
    for (case, token) in refused {
        let reply = app.request(Method::GET, "/api/v1/orders", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}");
        reply.problem(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_public_key_verifies_the_issuers_tokens_and_nothing_else() {
    let mut app = TestApp::spawn_with(&[("JWT_PUBLIC_KEY", PUBLIC_A)]).await;
    assert_only_key_a_passes(&app, "any").await;
    let user = Uuid::now_v7();
    let mut mine = claims();
    mine["sub"] = json!(user);
    let body = json!({ "items": [{ "sku": "ABC-1", "quantity": 1 }] });
    let placed = app.post("/api/v1/orders", Some(&ed25519(KEY_A, "any", &mine)), &body).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    app.stop().await;
}

#[tokio::test]
async fn a_key_set_verifies_by_kid_and_is_fetched_again_for_a_rotated_key() {
    let issuer = Issuer::default();
    issuer.publish(KEY_A);
    let url = issuer.serve().await;
    let mut app = TestApp::spawn_with(&[("JWT_JWKS_URL", &url)]).await;
    assert_eq!(issuer.fetches(), 1, "fetched once at startup");
    assert_only_key_a_passes(&app, &kid(KEY_A)).await;
    issuer.publish(KEY_B);
    let rotated = ed25519(KEY_B, &kid(KEY_B), &claims());
    assert_eq!(status(&app, &rotated).await, StatusCode::OK, "the new key is fetched");
    let fetches = issuer.fetches();
    assert!(fetches >= 2, "an unknown kid fetched the set again");
    for n in 0..20 {
        let made_up = ed25519(KEY_B, &format!("made-up-{n}"), &claims());
        assert_eq!(status(&app, &made_up).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(issuer.fetches(), fetches, "made-up kids wait for JWT_JWKS_REFRESH_SECS");
    assert_eq!(status(&app, &rotated).await, StatusCode::OK, "known keys stay cached");
    app.stop().await;
}

#[tokio::test]
async fn the_service_does_not_start_without_its_key_set() {
    let (db, nats, inventory) =
        (TestDb::new().await, NatsServer::start(), InventoryStub::start().await);
    let unreachable = [("JWT_JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json")];
    let started =
        server::start(&config(&db, &nats, &inventory, &unreachable), db.pool.clone()).await;
    let error = started.err().expect("no key set, no service").to_string();
    assert!(error.contains("127.0.0.1:9"), "{error}");
    let empty = Issuer::default().serve().await;
    let settings = config(&db, &nats, &inventory, &[("JWT_JWKS_URL", &empty)]);
    let error = server::start(&settings, db.pool.clone())
        .await
        .err()
        .expect("an empty set is no key set")
        .to_string();
    assert!(error.contains("no usable"), "{error}");
}
