//! The per-user rate limit on placing orders, over real HTTP: a user who places orders faster
//! than the limit gets 429 problems with `Retry-After`, with no call to the inventory and
//! nothing stored, while other users go on; the bucket refills with time.

use std::time::Duration;

use hyper::StatusCode;
use uuid::Uuid;

use crate::support::{TestApp, eventually};

#[tokio::test]
async fn a_user_past_the_default_burst_gets_429_and_others_go_on() {
    let mut app = TestApp::spawn().await;
    let (eager, other) = (Uuid::now_v7(), Uuid::now_v7());
    for n in 0..5 {
        assert_eq!(app.place_order(eager).await.status, StatusCode::CREATED, "order {n}");
    }
    let refused = app.place_order(eager).await;
    let problem = refused.problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(problem["detail"].as_str().is_some_and(|detail| detail.contains("orders")));
    let retry_after: u64 =
        refused.headers["retry-after"].to_str().expect("text").parse().expect("s");
    assert!((1..=2).contains(&retry_after), "30 per minute: one every 2 s, got {retry_after}");
    assert_eq!(app.inventory.calls(), 5, "a refused order costs no reservation");
    assert_eq!(app.db.count("SELECT count(*) FROM orders").await, 5);
    assert_eq!(app.place_order(other).await.status, StatusCode::CREATED, "users are apart");
    app.stop().await;
}

#[tokio::test]
async fn the_limit_is_configurable_and_refills() {
    let settings = [("ORDER_RATE_LIMIT_PER_MINUTE", "60"), ("ORDER_RATE_LIMIT_BURST", "1")];
    let mut app = TestApp::spawn_with(&settings).await;
    let user = Uuid::now_v7();
    assert_eq!(app.place_order(user).await.status, StatusCode::CREATED);
    let refused = app.place_order(user).await;
    refused.problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers["retry-after"], "1");
    let refilled = eventually(Duration::from_secs(3), || async {
        app.place_order(user).await.status == StatusCode::CREATED
    });
    assert!(refilled.await, "one more order every second");
    app.stop().await;
}
