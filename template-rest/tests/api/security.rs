//! One test per token rule: expiry, audience, issuer, algorithm, key and required claims.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::service::repositories::pool::DbPool;
use crate::support::{AUDIENCE, ISSUER, SECRET, TestApp};

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Valid claims for `sub`, to be spoiled one at a time.
fn claims(sub: &str) -> Value {
    json!({"sub": sub, "role": "admin", "iss": ISSUER, "aud": AUDIENCE,
           "iat": now(), "exp": now() + 600, "jti": uuid::Uuid::new_v4()})
}

fn sign(claims: &Value, secret: &str) -> String {
    let key = EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).expect("signed")
}

async fn status_of(app: &TestApp, token: &str) -> StatusCode {
    let reply = app.get("/api/v1/users/me", token).await;
    if reply.status == StatusCode::UNAUTHORIZED {
        reply.problem(StatusCode::UNAUTHORIZED);
    }
    reply.status
}

#[sqlx::test]
async fn a_well_formed_token_is_accepted(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("uma@example.com").await;
    assert_eq!(status_of(&app, &sign(&claims(&id), SECRET)).await, StatusCode::OK);
}

#[sqlx::test]
async fn expired_tokens_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("val@example.com").await;
    let mut expired = claims(&id);
    expired["iat"] = json!(now() - 3_600);
    expired["exp"] = json!(now() - 60);
    assert_eq!(status_of(&app, &sign(&expired, SECRET)).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn foreign_audience_and_issuer_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("wes@example.com").await;
    for (claim, value) in [("aud", "another-service"), ("iss", "someone-else")] {
        let mut spoiled = claims(&id);
        spoiled[claim] = json!(value);
        assert_eq!(
            status_of(&app, &sign(&spoiled, SECRET)).await,
            StatusCode::UNAUTHORIZED,
            "{claim}"
        );
    }
}

#[sqlx::test]
async fn every_required_claim_must_be_present(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("xia@example.com").await;
    for claim in ["exp", "iat", "sub", "iss", "aud"] {
        let mut partial = claims(&id);
        partial.as_object_mut().unwrap().remove(claim);
        assert_eq!(
            status_of(&app, &sign(&partial, SECRET)).await,
            StatusCode::UNAUTHORIZED,
            "{claim}"
        );
    }
}

#[sqlx::test]
async fn tokens_issued_in_the_future_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("yan@example.com").await;
    let mut future = claims(&id);
    future["iat"] = json!(now() + 3_600);
    assert_eq!(status_of(&app, &sign(&future, SECRET)).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn unsigned_alg_none_tokens_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("zed@example.com").await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&id).to_string());
    for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
        assert_eq!(status_of(&app, &token).await, StatusCode::UNAUTHORIZED);
    }
}

#[sqlx::test]
async fn tokens_signed_with_another_key_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("abe@example.com").await;
    let forged = sign(&claims(&id), "another-secret-of-sufficient-length-0123456789");
    assert_eq!(status_of(&app, &forged).await, StatusCode::UNAUTHORIZED);
    let hs512 = Header::new(Algorithm::HS512);
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let other_algorithm = jsonwebtoken::encode(&hs512, &claims(&id), &key).unwrap();
    assert_eq!(status_of(&app, &other_algorithm).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn garbage_and_missing_tokens_are_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    assert_eq!(status_of(&app, "not.a.jwt").await, StatusCode::UNAUTHORIZED);
    let reply = app.request(axum::http::Method::GET, "/api/v1/users/me").send().await;
    reply.problem(StatusCode::UNAUTHORIZED);
}
