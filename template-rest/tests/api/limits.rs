//! Abuse limits: rate limits per client, login attempts per address, trusted proxies, body
//! size.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp};

fn live(forwarded_for: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/health/live");
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.body(Body::empty()).expect("valid request")
}

#[sqlx::test]
async fn each_client_has_a_token_bucket(pool: DbPool) {
    let limits = [("RATE_LIMIT_PER_SECOND", "1"), ("RATE_LIMIT_BURST", "3")];
    let app = TestApp::with(pool, &limits, Vec::new()).await;
    for _ in 0..3 {
        assert_eq!(app.raw(live(None)).await.status, StatusCode::OK);
    }
    let limited = app.raw(live(None)).await;
    limited.problem(StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let spoofed = app.raw(live(Some("203.0.113.9"))).await;
    assert_eq!(
        spoofed.status,
        StatusCode::TOO_MANY_REQUESTS,
        "X-Forwarded-For is ignored by default"
    );
}

#[sqlx::test]
async fn behind_trusted_proxies_the_forwarded_client_is_limited(pool: DbPool) {
    let limits =
        [("RATE_LIMIT_PER_SECOND", "1"), ("RATE_LIMIT_BURST", "1"), ("TRUSTED_PROXY_HOPS", "1")];
    let app = TestApp::with(pool, &limits, Vec::new()).await;
    assert_eq!(app.raw(live(Some("203.0.113.1"))).await.status, StatusCode::OK);
    assert_eq!(app.raw(live(Some("203.0.113.2"))).await.status, StatusCode::OK);
    let again = app.raw(live(Some("6.6.6.6, 203.0.113.1"))).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS, "the spoofed left entry does not help");
}

#[sqlx::test]
async fn login_attempts_are_limited_per_address(pool: DbPool) {
    let limits = [
        ("LOGIN_RATE_LIMIT_PER_MINUTE", "2"),
        ("LOGIN_RATE_LIMIT_BURST", "2"),
        ("TRUSTED_PROXY_HOPS", "1"),
    ];
    let app = TestApp::with(pool, &limits, Vec::new()).await;
    let body = json!({"email": "victim@example.com", "password": "guess number one"});
    let mut statuses = Vec::new();
    for client in ["198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2"] {
        let request = Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", client)
            .body(Body::from(body.to_string()))
            .expect("valid request");
        statuses.push(app.raw(request).await.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::UNAUTHORIZED
        ],
        "the third attempt from one address waits; another address does not"
    );
}

#[sqlx::test]
async fn repeated_failures_slow_an_account_down_without_locking_it(pool: DbPool) {
    let limits = [("LOGIN_FAILURES_BEFORE_DELAY", "2"), ("LOGIN_MAX_DELAY_SECS", "1")];
    let app = TestApp::with(pool, &limits, Vec::new()).await;
    app.register("owner@example.com", "Owner").await;
    let wrong = json!({"email": "owner@example.com", "password": "not the password"});
    for _ in 0..3 {
        app.request(Method::POST, "/api/v1/auth/login").json(&wrong).send().await;
    }
    let right = json!({"email": "owner@example.com", "password": PASSWORD});
    let delayed = app.request(Method::POST, "/api/v1/auth/login").json(&right).send().await;
    delayed.problem(StatusCode::TOO_MANY_REQUESTS);
    let wait = delayed.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    app.login("owner@example.com", PASSWORD).await;
}

#[sqlx::test]
async fn bodies_over_the_limit_are_413(pool: DbPool) {
    let app = TestApp::with(pool, &[("BODY_LIMIT_BYTES", "1024")], Vec::new()).await;
    let body = json!({"email": "big@example.com", "password": PASSWORD, "name": "x".repeat(2048)});
    let reply = app.request(Method::POST, "/api/v1/auth/register").json(&body).send().await;
    reply.problem(StatusCode::PAYLOAD_TOO_LARGE);
}
