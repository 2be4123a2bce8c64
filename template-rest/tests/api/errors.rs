//! Malformed requests answer with problem+json, never a bare status or a stack trace.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

fn post(uri: &str, content_type: &str, body: &'static str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("valid request")
}

#[sqlx::test]
async fn malformed_json_is_400(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.raw(post("/api/v1/auth/login", "application/json", "{\"email\": ")).await;
    reply.problem(StatusCode::BAD_REQUEST);
    let trailing = app.raw(post("/api/v1/auth/login", "application/json", "{} {}")).await;
    trailing.problem(StatusCode::BAD_REQUEST);
}

#[sqlx::test]
async fn wrong_content_type_is_415(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.raw(post("/api/v1/auth/login", "text/plain", "{}")).await;
    reply.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let missing = Request::post("/api/v1/auth/login").body(Body::from("{}")).unwrap();
    app.raw(missing).await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[sqlx::test]
async fn wrong_types_name_the_field(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let body = r#"{"email": 42, "password": "x"}"#;
    let reply = app.raw(post("/api/v1/auth/login", "application/json; charset=utf-8", body)).await;
    assert_eq!(reply.invalid_fields(), ["email"]);
}

#[sqlx::test]
async fn unknown_routes_are_404(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/api/v1/nothing-here").send().await;
    reply.problem(StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn wrong_methods_are_405(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::DELETE, "/api/v1/auth/login").send().await;
    reply.problem(StatusCode::METHOD_NOT_ALLOWED);
}

#[sqlx::test]
async fn deeply_nested_json_is_refused_not_crashed_on(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let depth = 100_000;
    let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let reply = app.raw(post("/api/v1/auth/login", "application/json", body.leak())).await;
    reply.problem(StatusCode::BAD_REQUEST);
    assert!(reply.body["detail"].as_str().unwrap().contains("recursion limit"), "{}", reply.body);
}
