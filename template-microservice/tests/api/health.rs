//! Probes, metrics, and the graceful shutdown.

use std::time::Duration;

use hyper::{Method, StatusCode};
use uuid::Uuid;

use crate::support::{TestApp, eventually};

#[tokio::test]
async fn readiness_reports_the_database_nats_and_the_breakers() {
    let mut app = TestApp::spawn().await;
    let live = app.request(Method::GET, "/health/live", None).await;
    assert_eq!(live.status, StatusCode::OK);
    let ready = app.request(Method::GET, "/health/ready", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["checks"]["database"], "up");
    assert_eq!(ready.body["checks"]["nats"], "up");
    assert_eq!(ready.body["checks"]["breakers"]["inventory"], "closed");
    app.nats.stop();
    let unready = eventually(Duration::from_secs(10), || async {
        app.request(Method::GET, "/health/ready", None).await.status
            == StatusCode::SERVICE_UNAVAILABLE
    });
    assert!(unready.await, "readiness fails while NATS is down");
    app.nats.restart();
    app.stop().await;
}

#[tokio::test]
async fn metrics_show_the_outbox_and_the_breaker() {
    let mut app = TestApp::spawn().await;
    app.place_order(Uuid::now_v7()).await;
    let (status, metrics) = app.text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "outbox_depth",
        "outbox_oldest_age_seconds",
        "circuit_breaker_state",
        "http_requests_total",
    ] {
        assert!(metrics.contains(name), "{name} is missing from:\n{metrics}");
    }
    app.stop().await;
}

#[tokio::test]
async fn shutdown_relays_what_is_committed() {
    let mut app = TestApp::spawn().await;
    for _ in 0..20 {
        assert_eq!(app.place_order(Uuid::now_v7()).await.status, StatusCode::CREATED);
    }
    app.stop().await;
    assert_eq!(app.db.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL").await, 0);
}
