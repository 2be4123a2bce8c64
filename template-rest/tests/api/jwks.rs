//! Tokens shared between services: Ed25519 signatures, the JWK Set at
//! `/.well-known/jwks.json`, key ids (RFC 7638 thumbprints), rotation, and the forgeries every
//! verifier must refuse.

use axum::http::{Method, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::service::repositories::pool::DbPool;
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, AUDIENCE, ISSUER, TestApp};

/// Throw-away Ed25519 keys (`openssl genpkey -algorithm ed25519`), for these tests only.
const KEY_A: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEICUJJ+Jjn1UHgCn4F98r2iBhl7i48t0nOWb1aRtPp8dA
-----END PRIVATE KEY-----
";
const PUBLIC_A: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAxmikSRQ/zyu/mTxDhknWB3i2MkplGa/+lAt7KkfDHps=
-----END PUBLIC KEY-----
";
const KEY_B: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJaFsvDHm0U5VmFM6eN1KpxcSN9D9tQ2PiraS3JGP2+a
-----END PRIVATE KEY-----
";
const PUBLIC_B: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAipmooXwL+H8qkdBEPE9Yh4osO8ouKb+wIo6bB8LGDHg=
-----END PUBLIC KEY-----
";
/// A key the service has never heard of.
const FOREIGN_KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIC+PY0sSvv/kaqBhaWYrmSu0sm8KEld4NIdfOXrsNF8
-----END PRIVATE KEY-----
";
const FOREIGN_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEArxVm7IWJH4gzeD9GicBESv7Ki8NwG2+vQUfMCeGmSHI=
-----END PUBLIC KEY-----
";

/// The raw 32-byte public key inside a PEM `SubjectPublicKeyInfo` (its last 32 bytes).
fn raw_public_key(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = STANDARD.decode(body).unwrap();
    der[der.len() - 32..].to_vec()
}

/// The JWK `x` member of a public key.
fn x_of(pem: &str) -> String {
    URL_SAFE_NO_PAD.encode(raw_public_key(pem))
}

/// The RFC 7638 thumbprint, computed here independently of the service.
fn thumbprint(pem: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, x_of(pem));
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn jwk(pem: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": x_of(pem), "kid": thumbprint(pem),
           "alg": "EdDSA", "use": "sig"})
}

async fn eddsa_app(pool: DbPool, private: &str, accepted: &[&str]) -> TestApp {
    let accepted = accepted.concat();
    let mut settings = vec![("JWT_PRIVATE_KEY", private)];
    if !accepted.is_empty() {
        settings.push(("JWT_ACCEPTED_PUBLIC_KEYS", &accepted));
    }
    TestApp::with(pool, &settings, Vec::new()).await
}

async fn jwks(app: &TestApp) -> Value {
    let reply = app.request(Method::GET, "/.well-known/jwks.json").send().await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
    let cache = reply.headers[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cache.contains("public") && cache.contains("max-age=300"), "{cache}");
    reply.body
}

fn claims(sub: &str) -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({"sub": sub, "role": "admin", "iss": ISSUER, "aud": AUDIENCE,
           "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()})
}

fn signed(algorithm: Algorithm, kid: Option<String>, key: &EncodingKey, sub: &str) -> String {
    let header = Header { kid, ..Header::new(algorithm) };
    jsonwebtoken::encode(&header, &claims(sub), key).unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/users/me", token).await.status
}

#[sqlx::test]
async fn the_jwks_document_publishes_the_signing_key_under_its_thumbprint(pool: DbPool) {
    let app = eddsa_app(pool, KEY_A, &[]).await;
    assert_eq!(jwks(&app).await, json!({"keys": [jwk(PUBLIC_A)]}));
}

#[sqlx::test]
async fn a_shared_secret_publishes_no_key(pool: DbPool) {
    let app = TestApp::new(pool).await;
    assert_eq!(jwks(&app).await, json!({"keys": []}));
}

#[sqlx::test]
async fn tokens_name_their_key_and_verify_with_the_published_one(pool: DbPool) {
    let app = eddsa_app(pool, KEY_A, &[]).await;
    let token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.access;
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!((header.alg, header.kid), (Algorithm::EdDSA, Some(thumbprint(PUBLIC_A))));
    let published = &jwks(&app).await["keys"][0];
    let key = DecodingKey::from_ed_components(published["x"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap().claims;
    for claim in ["sub", "role", "iss", "aud", "iat", "exp", "jti"] {
        assert!(claims.get(claim).is_some(), "{claim} missing from {claims}");
    }
    assert_eq!(claims["role"], "admin");
    assert_eq!(me_status(&app, &token).await, StatusCode::OK);
}

#[sqlx::test]
async fn unknown_kids_foreign_keys_and_algorithm_confusion_are_refused(pool: DbPool) {
    let app = eddsa_app(pool, KEY_A, &[]).await;
    let (id, _) = app.user("kid@example.com").await;
    let own = EncodingKey::from_ed_pem(KEY_A.as_bytes()).unwrap();
    let foreign = EncodingKey::from_ed_pem(FOREIGN_KEY.as_bytes()).unwrap();
    let kid_a = Some(thumbprint(PUBLIC_A));
    let genuine = signed(Algorithm::EdDSA, kid_a.clone(), &own, &id);
    assert_eq!(me_status(&app, &genuine).await, StatusCode::OK, "the control token passes");
    let forgeries = [
        ("unknown kid", signed(Algorithm::EdDSA, Some("no-such-key".into()), &own, &id)),
        ("no kid", signed(Algorithm::EdDSA, None, &own, &id)),
        ("foreign key", signed(Algorithm::EdDSA, Some(thumbprint(FOREIGN_PUBLIC)), &foreign, &id)),
        ("foreign key, our kid", signed(Algorithm::EdDSA, kid_a.clone(), &foreign, &id)),
        ("HS256, public PEM as secret", {
            let secret = EncodingKey::from_secret(PUBLIC_A.as_bytes());
            signed(Algorithm::HS256, kid_a.clone(), &secret, &id)
        }),
        ("HS256, raw public key as secret", {
            let secret = EncodingKey::from_secret(&raw_public_key(PUBLIC_A));
            signed(Algorithm::HS256, kid_a.clone(), &secret, &id)
        }),
    ];
    for (name, token) in forgeries {
        assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[sqlx::test]
async fn rotation_keeps_the_previous_key_valid_and_signs_with_the_new_one(pool: DbPool) {
    let before = eddsa_app(pool.clone(), KEY_A, &[]).await;
    let (_, old) = before.user("rot@example.com").await;
    let during = eddsa_app(pool.clone(), KEY_B, &[PUBLIC_A]).await;
    assert_eq!(me_status(&during, &old.access).await, StatusCode::OK, "old tokens still work");
    assert_eq!(jwks(&during).await, json!({"keys": [jwk(PUBLIC_B), jwk(PUBLIC_A)]}));
    let fresh = during.login("rot@example.com", crate::support::PASSWORD).await.access;
    assert_eq!(jsonwebtoken::decode_header(&fresh).unwrap().kid, Some(thumbprint(PUBLIC_B)));
    let refreshed = during
        .request(Method::POST, "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": old.refresh}))
        .send()
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "sessions survive the rotation");
    let after = eddsa_app(pool, KEY_B, &[]).await;
    assert_eq!(me_status(&after, &old.access).await, StatusCode::UNAUTHORIZED, "A is retired");
    assert_eq!(me_status(&after, &fresh).await, StatusCode::OK);
}

#[sqlx::test]
async fn tokens_carry_every_configured_audience(pool: DbPool) {
    let settings = [("JWT_PRIVATE_KEY", KEY_A), ("JWT_EXTRA_AUDIENCES", "realtime, orders")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.access;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["aud"], json!([AUDIENCE, "realtime", "orders"]));
    assert_eq!(me_status(&app, &token).await, StatusCode::OK);
    let own = EncodingKey::from_ed_pem(KEY_A.as_bytes()).unwrap();
    let mut for_realtime = claims.clone();
    for_realtime["aud"] = json!("realtime");
    let header = Header { kid: Some(thumbprint(PUBLIC_A)), ..Header::new(Algorithm::EdDSA) };
    let foreign_audience = jsonwebtoken::encode(&header, &for_realtime, &own).unwrap();
    let status = me_status(&app, &foreign_audience).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a token for another service only is refused");
}
