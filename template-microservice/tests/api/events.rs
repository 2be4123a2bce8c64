//! `order.created`: published through the outbox with the contract's envelope, its id as the
//! `Nats-Msg-Id`, and the caller's trace id, which the inventory call carried too.

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::support::broker::stored;
use crate::support::{TestApp, eventually, request, token};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test]
async fn one_trace_id_reaches_the_inventory_call_and_the_published_event() {
    let mut app = TestApp::spawn().await;
    let url = format!("http://{}/api/v1/orders", app.address);
    let body = json!({ "items": [{ "sku": "ABC-1", "quantity": 2 }] });
    let mut placing = request(Method::POST, &url, Some(&token(Uuid::now_v7())), Some(&body));
    let traceparent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    placing.headers_mut().insert("traceparent", traceparent.parse().expect("header"));
    let placed = app.send(placing).await;
    assert_eq!(placed.status, StatusCode::CREATED);
    let downstream = app.inventory.traceparents();
    assert_eq!(downstream.len(), 1);
    assert!(downstream[0].starts_with(&format!("00-{TRACE_ID}-")), "{downstream:?}");
    assert_ne!(downstream[0], traceparent, "the service adds its own span");
    let sent = eventually(Duration::from_secs(10), || async {
        app.db.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL").await == 0
    });
    assert!(sent.await, "the outbox was relayed");
    let events = stored(&app.nats.url(), "EVENTS", "events.order.created").await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert!(event.header("traceparent").is_some_and(|value| value.contains(TRACE_ID)));
    assert_eq!(event.body["type"], "order.created");
    assert_eq!(event.body["version"], 1);
    assert!(
        event.body["time"]
            .as_str()
            .is_some_and(|time| chrono::DateTime::parse_from_rfc3339(time).is_ok())
    );
    assert_eq!(event.header("Nats-Msg-Id"), event.body["id"].as_str());
    assert_eq!(event.body["data"]["order_id"], placed.body["id"]);
    app.stop().await;
}

#[tokio::test]
async fn a_request_without_trace_context_starts_a_trace() {
    let mut app = TestApp::spawn().await;
    assert_eq!(app.place_order(Uuid::now_v7()).await.status, StatusCode::CREATED);
    let traceparents = app.inventory.traceparents();
    let context = crate::service::domain::trace::TraceContext::parse(&traceparents[0]);
    assert!(context.is_some(), "{traceparents:?}");
    app.stop().await;
}
