//! The inventory circuit breaker: it opens while the inventory fails or hangs, then orders fail
//! fast without calling it, and it closes again once the inventory recovers.

use std::time::Duration;

use hyper::{Method, StatusCode};
use uuid::Uuid;

use crate::support::{HANG_DEADLINES, Mode, QUICK_BREAKER, TestApp, eventually};

async fn breaker_state(app: &TestApp) -> String {
    let ready = app.request(Method::GET, "/health/ready", None).await;
    ready.body["checks"]["breakers"]["inventory"].as_str().unwrap_or_default().to_owned()
}

/// Fails orders with `failure` until the breaker opens; returns the downstream calls by then.
async fn open_the_breaker(app: &TestApp, failure: Mode) -> usize {
    app.inventory.set_mode(failure);
    for _ in 0..10 {
        app.place_order(Uuid::now_v7()).await.problem(StatusCode::SERVICE_UNAVAILABLE);
        if breaker_state(app).await == "open" {
            break;
        }
    }
    assert_eq!(breaker_state(app).await, "open");
    app.inventory.calls()
}

/// While open, orders fail at once with `Retry-After`, and the inventory gets no call.
async fn assert_fails_fast(app: &TestApp, calls_when_open: usize) {
    for _ in 0..20 {
        let reply = app.place_order(Uuid::now_v7()).await;
        reply.problem(StatusCode::SERVICE_UNAVAILABLE);
        assert!(reply.headers.contains_key("retry-after"));
    }
    assert_eq!(app.inventory.calls(), calls_when_open, "an open breaker calls nobody");
}

/// Once the inventory answers again, orders succeed and the breaker closes.
async fn assert_recovers(app: &TestApp) {
    app.inventory.set_mode(Mode::Reserve);
    let recovered = eventually(Duration::from_secs(10), || async {
        app.place_order(Uuid::now_v7()).await.status == StatusCode::CREATED
    });
    assert!(recovered.await, "orders succeed once the inventory is back");
    let closed = eventually(Duration::from_secs(10), || async {
        app.place_order(Uuid::now_v7()).await;
        breaker_state(app).await == "closed"
    });
    assert!(closed.await, "the breaker closed");
}

/// An open wait far longer than any test takes: the breaker cannot half-open during the
/// fail-fast checks, however slow the machine, so they do not depend on timing.
const STAYS_OPEN: (&str, &str) = ("INVENTORY_BREAKER_OPEN_WAIT_MS", "600000");

/// A short open wait, for the test that waits for the breaker to close again.
const HALF_OPENS_SOON: (&str, &str) = ("INVENTORY_BREAKER_OPEN_WAIT_MS", "500");

/// Starts the service with a quick breaker, the given open wait and, for a hanging
/// inventory, short deadlines.
async fn spawn(failure: Mode, open_wait: (&str, &str)) -> TestApp {
    let mut settings = QUICK_BREAKER.to_vec();
    if failure == Mode::Hang {
        settings.extend(HANG_DEADLINES);
    }
    settings.push(open_wait);
    TestApp::spawn_with(&settings).await
}

/// Drives the breaker open with `failure`, then checks that it fails fast.
async fn opens_and_fails_fast(failure: Mode) {
    let mut app = spawn(failure, STAYS_OPEN).await;
    let calls_when_open = open_the_breaker(&app, failure).await;
    assert_fails_fast(&app, calls_when_open).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_open_the_breaker() {
    opens_and_fails_fast(Mode::Fail).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_inventory_opens_the_breaker() {
    opens_and_fails_fast(Mode::Hang).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_closes_once_the_inventory_recovers() {
    let mut app = spawn(Mode::Fail, HALF_OPENS_SOON).await;
    app.inventory.set_mode(Mode::Fail);
    let opened = eventually(Duration::from_secs(10), || async {
        app.place_order(Uuid::now_v7()).await;
        breaker_state(&app).await != "closed"
    });
    assert!(opened.await, "failures opened the breaker");
    assert_recovers(&app).await;
    app.stop().await;
}
