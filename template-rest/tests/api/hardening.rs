//! Security headers, CORS, panics, timeouts and load shedding.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::get;

use crate::service::repositories::pool::DbPool;
use crate::service::state::AppState;
use crate::support::TestApp;

#[sqlx::test]
async fn every_response_has_the_security_headers(pool: DbPool) {
    let app = TestApp::new(pool).await;
    for path in ["/health/live", "/api/v1/users/me", "/no/such/route"] {
        let reply = app.request(Method::GET, path).send().await;
        let headers = &reply.headers;
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(!headers.contains_key(header::SERVER));
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "HSTS is opt-in");
        assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "no CORS by default");
    }
}

#[sqlx::test]
async fn hsts_and_cors_follow_the_configuration(pool: DbPool) {
    let settings =
        [("HSTS_MAX_AGE_SECS", "63072000"), ("CORS_ALLOWED_ORIGINS", "https://app.example.com")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let from = |origin: &'static str| {
        Request::get("/health/live").header(header::ORIGIN, origin).body(Body::empty()).unwrap()
    };
    let allowed = app.raw(from("https://app.example.com")).await;
    assert_eq!(
        allowed.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=63072000; includeSubDomains"
    );
    assert_eq!(allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
    let foreign = app.raw(from("https://evil.example.com")).await;
    assert!(!foreign.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/users/me")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .unwrap();
    let preflight = app.raw(preflight).await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert!(
        preflight.headers[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().contains("GET")
    );
}

async fn panics() -> &'static str {
    panic!("handler bug with a secret: hunter2")
}

#[sqlx::test]
async fn a_panic_is_a_bare_500_and_the_service_keeps_serving(pool: DbPool) {
    let routes =
        Router::<AppState>::new().route("/panic", get(panics)).route("/ok", get(|| async { "ok" }));
    let app = TestApp::with_routes(pool, &[], routes);
    let reply = app.request(Method::GET, "/panic").send().await;
    reply.problem(StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!reply.body.to_string().contains("hunter2"), "no detail leaks");
    assert_eq!(app.request(Method::GET, "/ok").send().await.status, StatusCode::OK);
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "done"
}

#[sqlx::test]
async fn slow_requests_time_out_with_503(pool: DbPool) {
    let routes = Router::<AppState>::new().route("/slow", get(slow));
    let app = TestApp::with_routes(pool, &[("REQUEST_TIMEOUT_SECS", "1")], routes);
    let reply = app.request(Method::GET, "/slow").send().await;
    reply.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
}

#[sqlx::test]
async fn past_the_concurrency_limit_requests_are_shed_at_once(pool: DbPool) {
    let routes =
        Router::<AppState>::new().route("/slow", get(slow)).route("/ok", get(|| async { "ok" }));
    let app = TestApp::with_routes(pool, &[("CONCURRENCY_LIMIT", "1")], routes);
    let router = app.router();
    let slow_request = Request::get("/slow").body(Body::empty()).unwrap();
    let busy = tokio::spawn(tower::ServiceExt::oneshot(router, slow_request));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let shed = app.request(Method::GET, "/ok").send().await;
    shed.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.headers[header::RETRY_AFTER], "1");
    busy.abort();
    let _ = busy.await;
    assert_eq!(
        app.request(Method::GET, "/ok").send().await.status,
        StatusCode::OK,
        "the slot is freed"
    );
}
