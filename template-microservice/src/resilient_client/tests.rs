//! The whole stack against a server in this process: what is retried, what the breaker
//! rejects, what a hanging server costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use bytes::Bytes;
use http::Method;
use http_body_util::Full;

use super::{CallError, ClientSettings, HttpRequest, IDEMPOTENCY_KEY, ResilientClient};

/// Answers 503 to the first request of each route, then 200; `/hang` never answers in time.
async fn server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let flaky = |State(hits): State<Arc<AtomicUsize>>| async move {
        match hits.fetch_add(1, Ordering::SeqCst) {
            0 => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::OK,
        }
    };
    let hang = || async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        StatusCode::OK
    };
    let routes = Router::new()
        .route("/flaky", get(flaky).post(flaky))
        .route("/hang", get(hang))
        .with_state(Arc::clone(&hits));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, routes).await });
    (format!("http://{address}"), hits)
}

fn request(method: Method, url: &str, key: bool) -> HttpRequest {
    let mut builder = http::Request::builder().method(method).uri(url);
    if key {
        builder = builder.header(IDEMPOTENCY_KEY, "order-1");
    }
    builder.body(Full::new(Bytes::new())).expect("a request")
}

fn client() -> ResilientClient {
    ResilientClient::new("test", &ClientSettings::default()).expect("valid settings")
}

#[tokio::test]
async fn an_idempotent_request_is_retried_past_a_server_error() {
    let (base, hits) = server().await;
    let url = format!("{base}/flaky");
    let response = client().call(request(Method::GET, &url, false)).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_post_is_retried_only_with_an_idempotency_key() {
    let (base, hits) = server().await;
    let url = format!("{base}/flaky");
    let client = client();
    let response = client.call(request(Method::POST, &url, false)).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "not retried");
    hits.store(0, Ordering::SeqCst);
    let response = client.call(request(Method::POST, &url, true)).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK, "retried");
}

#[tokio::test]
async fn an_open_circuit_rejects_at_once_without_calling() {
    let (base, hits) = server().await;
    let client = client();
    client.breaker().force_open();
    let answer = client.call(request(Method::GET, &format!("{base}/flaky"), false)).await;
    assert!(matches!(answer, Err(CallError::CircuitOpen { .. })), "{answer:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(client.status().state(), "forced-open");
    assert_eq!(client.status().name(), "test");
}

#[tokio::test]
async fn a_hanging_server_is_an_error_within_the_deadlines() {
    let (base, _) = server().await;
    let settings = ClientSettings {
        timeout: Duration::from_millis(300),
        attempt_timeout: Duration::from_millis(50),
        ..ClientSettings::default()
    };
    let client = ResilientClient::new("test", &settings).expect("valid settings");
    let answer = client.call(request(Method::GET, &format!("{base}/hang"), false)).await;
    assert!(matches!(answer, Err(CallError::TimedOut | CallError::Failed(_))), "{answer:?}");
}

#[tokio::test]
async fn an_unreachable_server_fails_the_call() {
    let client = client();
    let answer = client.call(request(Method::POST, "http://127.0.0.1:1/x", false)).await;
    assert!(matches!(answer, Err(CallError::Failed(_))), "{answer:?}");
}
