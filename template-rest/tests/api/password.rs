//! `PUT /users/{id}/password`.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp};

const NEW_PASSWORD: &str = "a brand new passphrase";

#[sqlx::test]
async fn changing_the_password_ends_every_session(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, first) = app.user("pam@example.com").await;
    let second = app.login("pam@example.com", PASSWORD).await;
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let uri = format!("/api/v1/users/{id}/password");
    let reply = app.request(Method::PUT, &uri).token(&first.access).json(&body).send().await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    for refresh in [first.refresh, second.refresh] {
        let body = json!({"refresh_token": refresh});
        let reply = app.request(Method::POST, "/api/v1/auth/refresh").json(&body).send().await;
        reply.problem(StatusCode::UNAUTHORIZED);
    }
    app.login("pam@example.com", NEW_PASSWORD).await;
    let old = json!({"email": "pam@example.com", "password": PASSWORD});
    let reply = app.request(Method::POST, "/api/v1/auth/login").json(&old).send().await;
    reply.problem(StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn the_current_password_must_be_right(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("quinn@example.com").await;
    let body = json!({"current_password": "not my password", "new_password": NEW_PASSWORD});
    let uri = format!("/api/v1/users/{id}/password");
    let reply = app.request(Method::PUT, &uri).token(&tokens.access).json(&body).send().await;
    reply.problem(StatusCode::FORBIDDEN);
    app.login("quinn@example.com", PASSWORD).await;
}

#[sqlx::test]
async fn passwords_are_validated(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("rae@example.com").await;
    let uri = format!("/api/v1/users/{id}/password");
    let short = json!({"current_password": PASSWORD, "new_password": "short"});
    let reply = app.request(Method::PUT, &uri).token(&tokens.access).json(&short).send().await;
    assert_eq!(reply.invalid_fields(), ["new_password"]);
    let missing = json!({"new_password": NEW_PASSWORD});
    let reply = app.request(Method::PUT, &uri).token(&tokens.access).json(&missing).send().await;
    assert_eq!(reply.invalid_fields(), ["current_password"]);
}

#[sqlx::test]
async fn nobody_changes_someone_elses_password(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (target, _) = app.user("sam@example.com").await;
    let (_, intruder) = app.user("tia@example.com").await;
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let uri = format!("/api/v1/users/{target}/password");
    let reply = app.request(Method::PUT, &uri).token(&intruder.access).json(&body).send().await;
    reply.problem(StatusCode::NOT_FOUND);
    let admin = app.admin().await;
    let reply = app.request(Method::PUT, &uri).token(&admin.access).json(&body).send().await;
    reply.problem(StatusCode::FORBIDDEN);
    app.login("sam@example.com", PASSWORD).await;
}
