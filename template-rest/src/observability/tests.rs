//! The module's own tests: which request ids are kept, the span's fields, and metric labels
//! that no client can multiply.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::routing::get;
use tower::ServiceBuilder;
use tower::ServiceExt as _;
use tower_http::trace::TraceLayer;

use super::metrics::method_label;
use super::{MetricsLayer, REQUEST_ID, RequestIdLayer, install_recorder, request_span};

/// Sends `method path`, with `id` as its request id when given.
async fn send(method: Method, path: &str, id: Option<&str>) -> axum::response::Response {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(id) = id {
        request = request.header(REQUEST_ID, id);
    }
    layered_app()
        .oneshot(request.body(Body::empty()).expect("a request"))
        .await
        .expect("infallible")
}

/// The request id the response echoes.
fn echoed(response: &axum::response::Response) -> String {
    let id = response.headers().get(REQUEST_ID).expect("an echoed request id");
    id.to_str().expect("an ASCII id").to_owned()
}

#[tokio::test]
async fn well_formed_request_ids_are_kept() {
    for id in ["abc-123", "trace_me.1:2", &"x".repeat(128)] {
        let response = send(Method::GET, "/items/1", Some(id)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(echoed(&response), id);
    }
}

#[tokio::test]
async fn other_request_ids_are_replaced_by_a_uuid() {
    for id in [None, Some(""), Some("has space"), Some("semi;colon"), Some(&*"x".repeat(129))] {
        let response = send(Method::GET, "/items/1", id).await;
        let echoed = echoed(&response);
        assert!(uuid::Uuid::parse_str(&echoed).is_ok(), "{id:?} became {echoed}");
    }
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("an unpoisoned lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_span_carries_method_path_and_request_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let request = Request::post("/items/7").header(REQUEST_ID, "trace-me-42").body(());
    let request = request.expect("a request");
    tracing::subscriber::with_default(subscriber, || {
        request_span(&request).in_scope(|| tracing::info!("inside"));
    });
    let logs = String::from_utf8(captured.0.lock().expect("a lock").clone()).expect("UTF-8");
    for field in ["method=POST", "path=/items/7", r#"request_id="trace-me-42""#, "inside"] {
        assert!(logs.contains(field), "{field} missing from {logs}");
    }
}

#[test]
fn only_standard_methods_are_labels() {
    assert_eq!(method_label(&Method::PATCH), "PATCH");
    assert_eq!(method_label(&Method::from_bytes(b"QABCDEFGH").expect("a token")), "OTHER");
    assert_eq!(method_label(&Method::from_bytes(b"get").expect("a token")), "OTHER");
}

#[tokio::test]
async fn labels_are_the_route_template_or_unmatched_never_the_raw_path() {
    let handle = install_recorder();
    let made_up = Method::from_bytes(b"BREW").expect("a token");
    send(Method::GET, "/items/raw-path-4711", None).await;
    send(made_up, "/no/such/route-4712", None).await;
    let text = handle.render();
    let expected = [
        r#"http_requests_total{method="GET",route="/items/{id}",status="200"}"#,
        r#"http_requests_total{method="OTHER",route="unmatched",status="404"}"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/items/{id}",status="200",le="0.0005"}"#,
    ];
    for line in expected {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(!text.contains("4711") && !text.contains("4712"), "raw paths became labels");
}

/// A router wired as `MODULE.md` says, with three routes.
fn layered_app() -> Router {
    Router::new()
        .route("/items/{id}", get(|| async { "item" }))
        .route("/counted/{id}", get(|| async { "counted" }))
        .route("/own-id", get(|| async { ([(REQUEST_ID, "set-by-handler")], "own") }))
        .layer(
            ServiceBuilder::new()
                .layer(RequestIdLayer)
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(MetricsLayer::default()),
        )
}

#[tokio::test]
async fn the_request_id_layer_keeps_well_formed_ids_and_replaces_others() {
    for id in ["abc-123", "trace_me.1:2", &"x".repeat(128)] {
        assert_eq!(echoed(&send(Method::GET, "/items/1", Some(id)).await), id);
    }
    for id in [None, Some(""), Some("has space"), Some("semi;colon"), Some(&*"x".repeat(129))] {
        let echoed = echoed(&send(Method::GET, "/items/1", id).await);
        assert!(uuid::Uuid::parse_str(&echoed).is_ok(), "{id:?} became {echoed}");
    }
    let own = send(Method::GET, "/own-id", Some("from-the-caller")).await;
    assert_eq!(echoed(&own), "set-by-handler", "a handler's own id is not overwritten");
}

#[tokio::test]
async fn the_metrics_layer_labels_by_route_template_and_counts_every_request() {
    let handle = install_recorder();
    for _ in 0..3 {
        send(Method::GET, "/counted/layered-4721", None).await;
    }
    send(Method::from_bytes(b"BREW").expect("a token"), "/layered-4722", None).await;
    let text = handle.render();
    let expected = [
        r#"http_requests_total{method="GET",route="/counted/{id}",status="200"} 3"#,
        r#"http_requests_total{method="OTHER",route="unmatched",status="404"}"#,
        r#"http_request_duration_seconds_count{method="GET",route="/counted/{id}",status="200"} 3"#,
    ];
    for line in expected {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(!text.contains("4721") && !text.contains("4722"), "raw paths became labels");
}
