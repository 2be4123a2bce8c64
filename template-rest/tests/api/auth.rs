//! `/auth`: register, login, refresh and logout, with every failure status.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp, Tokens};

const REGISTER: &str = "/api/v1/auth/register";
const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";

#[sqlx::test]
async fn register_returns_the_user_without_secrets(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let body = json!({"email": "Ann@Example.com", "password": PASSWORD, "name": " Ann "});
    let reply = app.request(Method::POST, REGISTER).json(&body).send().await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_str().unwrap();
    assert_eq!(reply.headers[header::LOCATION], format!("/api/v1/users/{id}"));
    assert_eq!(reply.body["email"], "ann@example.com");
    assert_eq!(reply.body["name"], "Ann");
    assert_eq!(reply.body["role"], "user");
    assert!(reply.body["created_at"].is_string() && reply.body["updated_at"].is_string());
    let text = reply.body.to_string();
    assert!(!text.contains("password") && !text.contains("argon2"), "{text}");
}

#[sqlx::test]
async fn register_refuses_a_duplicate_email_in_any_case(pool: DbPool) {
    let app = TestApp::new(pool).await;
    app.register("bob@example.com", "Bob").await;
    let body = json!({"email": "BOB@example.com", "password": PASSWORD, "name": "Bob 2"});
    let reply = app.request(Method::POST, REGISTER).json(&body).send().await;
    reply.problem(StatusCode::CONFLICT);
}

#[sqlx::test]
async fn register_lists_every_invalid_field(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let body = json!({"email": "not-an-email", "password": "short", "name": ""});
    let reply = app.request(Method::POST, REGISTER).json(&body).send().await;
    assert_eq!(reply.invalid_fields(), ["email", "name", "password"]);
    let long = json!({"email": "a@b.co", "password": "x".repeat(129), "name": "n".repeat(101)});
    let reply = app.request(Method::POST, REGISTER).json(&long).send().await;
    assert_eq!(reply.invalid_fields(), ["name", "password"]);
    let blank = json!({"email": "a@b.co", "password": PASSWORD, "name": "   "});
    let reply = app.request(Method::POST, REGISTER).json(&blank).send().await;
    assert_eq!(reply.invalid_fields(), ["name"]);
}

#[sqlx::test]
async fn register_refuses_unknown_and_missing_fields(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let body =
        json!({"email": "eve@example.com", "password": PASSWORD, "name": "Eve", "role": "admin"});
    let reply = app.request(Method::POST, REGISTER).json(&body).send().await;
    assert_eq!(reply.invalid_fields(), ["role"]);
    let reply =
        app.request(Method::POST, REGISTER).json(&json!({"email": "eve@example.com"})).send().await;
    assert_eq!(reply.invalid_fields(), ["password"]);
}

#[sqlx::test]
async fn login_returns_a_bearer_token_pair(pool: DbPool) {
    let app = TestApp::new(pool).await;
    app.register("cid@example.com", "Cid").await;
    let body = json!({"email": "CID@example.com", "password": PASSWORD});
    let reply = app.request(Method::POST, LOGIN).json(&body).send().await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    let tokens = Tokens::from(&reply.body);
    assert_eq!(tokens.access.split('.').count(), 3, "a JWT");
    assert_eq!(app.get("/api/v1/users/me", &tokens.access).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn unknown_email_and_wrong_password_fail_alike(pool: DbPool) {
    let app = TestApp::new(pool).await;
    app.register("dee@example.com", "Dee").await;
    let wrong_password = json!({"email": "dee@example.com", "password": "wrong password!"});
    let unknown_email = json!({"email": "nobody@example.com", "password": PASSWORD});
    let first = app.request(Method::POST, LOGIN).json(&wrong_password).send().await;
    let second = app.request(Method::POST, LOGIN).json(&unknown_email).send().await;
    first.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(first.body, second.body);
    assert_eq!(first.headers[header::WWW_AUTHENTICATE], "Bearer");
}

#[sqlx::test]
async fn refresh_rotates_the_token(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (_, tokens) = app.user("eli@example.com").await;
    let reply = app
        .request(Method::POST, REFRESH)
        .json(&json!({"refresh_token": tokens.refresh}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rotated = Tokens::from(&reply.body);
    assert_ne!(rotated.refresh, tokens.refresh);
    assert_eq!(app.get("/api/v1/users/me", &rotated.access).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn reusing_a_rotated_token_revokes_its_family(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (_, tokens) = app.user("fay@example.com").await;
    let first = app
        .request(Method::POST, REFRESH)
        .json(&json!({"refresh_token": tokens.refresh}))
        .send()
        .await;
    let rotated = Tokens::from(&first.body);
    let reuse = app
        .request(Method::POST, REFRESH)
        .json(&json!({"refresh_token": tokens.refresh}))
        .send()
        .await;
    reuse.problem(StatusCode::UNAUTHORIZED);
    let after = app
        .request(Method::POST, REFRESH)
        .json(&json!({"refresh_token": rotated.refresh}))
        .send()
        .await;
    after.problem(StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn refresh_refuses_unknown_and_empty_tokens(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply =
        app.request(Method::POST, REFRESH).json(&json!({"refresh_token": "made-up"})).send().await;
    reply.problem(StatusCode::UNAUTHORIZED);
    let reply = app.request(Method::POST, REFRESH).json(&json!({"refresh_token": ""})).send().await;
    assert_eq!(reply.invalid_fields(), ["refresh_token"]);
}

#[sqlx::test]
async fn logout_revokes_the_refresh_token(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (_, tokens) = app.user("gus@example.com").await;
    let body = json!({"refresh_token": tokens.refresh});
    let reply = app.request(Method::POST, LOGOUT).token(&tokens.access).json(&body).send().await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.body, serde_json::Value::Null);
    app.request(Method::POST, REFRESH).json(&body).send().await.problem(StatusCode::UNAUTHORIZED);
    let again = app.request(Method::POST, LOGOUT).token(&tokens.access).json(&body).send().await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "logout is idempotent");
}

#[sqlx::test]
async fn logout_needs_an_access_token(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::POST, LOGOUT).json(&json!({"refresh_token": "x"})).send().await;
    reply.problem(StatusCode::UNAUTHORIZED);
}
