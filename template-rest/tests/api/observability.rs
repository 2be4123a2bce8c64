//! Metrics, request ids, and logs that never show secrets.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

#[sqlx::test]
async fn metrics_are_labelled_by_route_template(pool: DbPool) {
    let limits = [("LOGIN_FAILURES_BEFORE_DELAY", "100"), ("RATE_LIMIT_BURST", "50")];
    let app = TestApp::with(pool, &limits, Vec::new()).await;
    let (id, tokens) = app.user("mo@example.com").await;
    app.get(&format!("/api/v1/users/{id}"), &tokens.access).await;
    let wrong = json!({"email": "mo@example.com", "password": "wrong password"});
    app.request(Method::POST, "/api/v1/auth/login").json(&wrong).send().await;
    let reply = app.request(Method::GET, "/metrics").send().await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = reply.body.as_str().expect("text").to_owned();
    let expected = [
        r#"http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"}"#,
        "http_request_duration_seconds_bucket",
        "db_pool_connections",
        "db_pool_idle_connections",
        "login_failures_total",
    ];
    for line in expected {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(!text.contains(&id), "raw paths never become labels");
}

#[sqlx::test]
async fn rate_limit_rejections_are_counted(pool: DbPool) {
    let app = TestApp::with(
        pool,
        &[("RATE_LIMIT_BURST", "1"), ("RATE_LIMIT_PER_SECOND", "1")],
        Vec::new(),
    )
    .await;
    app.request(Method::GET, "/health/live").send().await;
    app.request(Method::GET, "/health/live").send().await.problem(StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let reply = app.request(Method::GET, "/metrics").send().await;
    assert!(reply.body.as_str().unwrap().contains(r#"rate_limited_total{scope="client"}"#));
}

#[sqlx::test]
async fn well_formed_request_ids_are_kept_and_others_replaced(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let with_id = |id: &str| {
        Request::get("/health/live").header("x-request-id", id).body(Body::empty()).unwrap()
    };
    let kept = app.raw(with_id("req-42.abc_9")).await;
    assert_eq!(kept.headers["x-request-id"], "req-42.abc_9");
    for bad in ["has space", "semi;colon", &"x".repeat(200)] {
        let replaced = app.raw(with_id(bad)).await;
        let id = replaced.headers["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{bad:?} became {id}");
    }
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test]
async fn logs_carry_the_request_id_and_no_secrets(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let body = json!({"email": "nobody@example.com", "password": "PASSWORD-SECRET-77"});
    let request = Request::post("/api/v1/auth/login")
        .header("x-request-id", "trace-me-123")
        .header(header::AUTHORIZATION, "Bearer TOKEN-SECRET-99")
        .header(header::COOKIE, "session=COOKIE-SECRET-55")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.raw(request).await.problem(StatusCode::UNAUTHORIZED);
    drop(guard);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("trace-me-123"), "{logs}");
    for secret in ["PASSWORD-SECRET-77", "TOKEN-SECRET-99", "COOKIE-SECRET-55"] {
        assert!(!logs.contains(secret), "{secret} leaked into\n{logs}");
    }
}
