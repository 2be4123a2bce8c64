//! The inventory circuit breaker: it opens while the inventory fails or hangs, then orders fail
//! fast without calling it, and it closes again once the inventory recovers.

use std::time::Duration;

use hyper::{Method, StatusCode};
use uuid::Uuid;

use crate::support::{Mode, TestApp, eventually};

async fn breaker_state(app: &TestApp) -> String {
    let ready = app.request(Method::GET, "/health/ready", None, None).await;
    ready.body["checks"]["breakers"]["inventory"].as_str().unwrap_or_default().to_owned()
}

/// Drives the breaker open with `failure`, checks that it fails fast, then that it closes.
async fn opens_fails_fast_and_recovers(failure: Mode) {
    let mut app = TestApp::spawn().await;
    app.inventory.set_mode(failure);
    let user = Uuid::now_v7();
    for _ in 0..10 {
        let reply = app.place_order(user).await;
        reply.problem(StatusCode::SERVICE_UNAVAILABLE);
        if breaker_state(&app).await == "open" {
            break;
        }
    }
    assert_eq!(breaker_state(&app).await, "open");
    let calls_when_open = app.inventory.calls();
    for _ in 0..20 {
        let reply = app.place_order(user).await;
        reply.problem(StatusCode::SERVICE_UNAVAILABLE);
        assert!(reply.headers.contains_key("retry-after"));
    }
    assert_eq!(app.inventory.calls(), calls_when_open, "an open breaker calls nobody");
    app.inventory.set_mode(Mode::Reserve);
    let recovered = eventually(Duration::from_secs(10), || async {
        app.place_order(user).await.status == StatusCode::CREATED
    });
    assert!(recovered.await, "orders succeed once the inventory is back");
    let closed = eventually(Duration::from_secs(10), || async {
        app.place_order(user).await;
        breaker_state(&app).await == "closed"
    });
    assert!(closed.await, "the breaker closed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_open_the_breaker() {
    opens_fails_fast_and_recovers(Mode::Fail).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_inventory_opens_the_breaker() {
    opens_fails_fast_and_recovers(Mode::Hang).await;
}
