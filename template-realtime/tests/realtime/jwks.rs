//! Tokens minted by another service (template-rest signs with Ed25519 and publishes its keys
//! at `/.well-known/jwks.json`), checked against that key set fetched over real HTTP: a token
//! signed with a listed key works; another key, HS256 signed with the public key, another
//! audience and an expired token do not; an unknown `kid` makes the node fetch the set again,
//! once, and made-up `kid`s cannot make it fetch in a loop.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::http::get;
use crate::service::auth::TokenVerifier;
use crate::service::config::Config;
use crate::support::{TestNode, claims};

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
const PUBLIC_B: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAishLyzR8ChZ8O6D7Cw77gS0s2BwT+rGX8pAOTJXvPYA=
-----END PUBLIC KEY-----
";

/// A key-set server: its keys can change, and it counts the fetches.
#[derive(Clone, Default)]
struct Issuer {
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Issuer {
    /// Serves the set on a loopback port; returns its URL.
    async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address: SocketAddr = listener.local_addr().expect("address");
        let app = axum::Router::new()
            .route("/.well-known/jwks.json", axum::routing::get(key_set))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/.well-known/jwks.json")
    }

    fn publish(&self, public_pem: &str, kid: &str) {
        self.keys.lock().expect("keys").push(jwk(public_pem, kid));
    }

    fn withdraw_all(&self) {
        self.keys.lock().expect("keys").clear();
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

async fn key_set(State(issuer): State<Issuer>) -> Json<Value> {
    issuer.fetches.fetch_add(1, Ordering::SeqCst);
    Json(json!({"keys": *issuer.keys.lock().expect("keys")}))
}

/// The JWK of an Ed25519 public key, as RFC 8037 writes it: `x` is the raw 32-byte key.
fn jwk(public_pem: &str, kid: &str) -> Value {
    let der: String = public_pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = STANDARD.decode(der).expect("PEM");
    let x = URL_SAFE_NO_PAD.encode(&der[der.len() - 32..]);
    json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"})
}

fn ed25519(private_pem: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

fn without_kid(private_pem: &str) -> String {
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims("ann", 600), &key).expect("sign")
}

/// An algorithm-confusion token: HS256, with the issuer's public key as the secret.
fn hs256_with(secret: &[u8], kid: &str) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_secret(secret);
    jsonwebtoken::encode(&header, &claims("mallory", 600), &key).expect("sign")
}

async fn node_for(issuer: &Issuer) -> TestNode {
    let url = issuer.serve().await;
    TestNode::start(&[("JWT_SECRET", ""), ("JWT_JWKS_URL", &url)]).await
}

async fn status(node: &TestNode, token: &str) -> StatusCode {
    get(node, "/rooms/lobby/presence", Some(token)).await.status
}

#[tokio::test]
async fn a_token_signed_with_a_listed_key_is_accepted_and_every_other_refused() {
    let issuer = Issuer::default();
    issuer.publish(PUBLIC_A, "key-a");
    let node = node_for(&issuer).await;
    assert_eq!(issuer.fetches(), 1, "fetched once at startup");
    assert_eq!(status(&node, &ed25519(KEY_A, "key-a", &claims("ann", 600))).await, StatusCode::OK);
    let mut foreign = claims("ann", 600);
    foreign["aud"] = json!("another-service");
    let mut expired = claims("ann", 600);
    expired["exp"] = json!(jsonwebtoken::get_current_timestamp() - 60);
    let public_a = jwk(PUBLIC_A, "key-a");
    let raw_a = URL_SAFE_NO_PAD.decode(public_a["x"].as_str().expect("x")).expect("x");
    let refused = [
        ("another key under a listed kid", ed25519(KEY_B, "key-a", &claims("ann", 600))),
        ("HS256 with the public key's PEM", hs256_with(PUBLIC_A.as_bytes(), "key-a")),
        ("HS256 with the raw public key", hs256_with(&raw_a, "key-a")),
        ("another audience", ed25519(KEY_A, "key-a", &foreign)),
        ("an expired token", ed25519(KEY_A, "key-a", &expired)),
        ("no kid", without_kid(KEY_A)),
    ];
    for (case, token) in refused {
        let reply = get(&node, "/rooms/lobby/presence", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}");
        reply.problem(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_set_once_and_made_up_kids_no_more() {
    let issuer = Issuer::default();
    issuer.publish(PUBLIC_A, "key-a");
    let node = node_for(&issuer).await;
    issuer.publish(PUBLIC_B, "key-b");
    let rotated = ed25519(KEY_B, "key-b", &claims("ann", 600));
    assert_eq!(status(&node, &rotated).await, StatusCode::OK, "the new key is fetched");
    assert_eq!(issuer.fetches(), 2);
    for n in 0..20 {
        let made_up = ed25519(KEY_B, &format!("made-up-{n}"), &claims("ann", 600));
        assert_eq!(status(&node, &made_up).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(issuer.fetches(), 2, "made-up kids wait for JWT_JWKS_REFRESH_SECS");
    assert_eq!(status(&node, &rotated).await, StatusCode::OK, "known keys stay cached");
}

#[tokio::test]
async fn a_withdrawn_key_is_refused_as_soon_as_the_set_is_fetched_again() {
    let issuer = Issuer::default();
    issuer.publish(PUBLIC_A, "key-a");
    let url = issuer.serve().await;
    let ages = [("JWT_JWKS_MAX_AGE_SECS", "1"), ("JWT_JWKS_REFRESH_SECS", "1")];
    let node =
        TestNode::start(&[("JWT_SECRET", ""), ("JWT_JWKS_URL", &url), ages[0], ages[1]]).await;
    let token = ed25519(KEY_A, "key-a", &claims("ann", 600));
    assert_eq!(status(&node, &token).await, StatusCode::OK);
    issuer.withdraw_all();
    issuer.publish(PUBLIC_B, "key-b");
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(status(&node, &token).await, StatusCode::UNAUTHORIZED, "the set no longer has it");
    assert_eq!(issuer.fetches(), 2, "the old set was fetched again once");
}

#[tokio::test]
async fn a_node_without_its_key_set_does_not_start() {
    let unreachable = [("JWT_JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json")];
    let config = Config::from_vars(&unreachable).expect("valid settings");
    let error = TokenVerifier::new(&config.jwt).await.expect_err("no key set, no node");
    assert!(error.to_string().contains("127.0.0.1:9"), "{error}");
    let issuer = Issuer::default();
    let url = issuer.serve().await;
    let config = Config::from_vars(&[("JWT_JWKS_URL", &url)]).expect("valid settings");
    let error = TokenVerifier::new(&config.jwt).await.expect_err("an empty set is no key set");
    assert!(error.to_string().contains("no usable"), "{error}");
}
