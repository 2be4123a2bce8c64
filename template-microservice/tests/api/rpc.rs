//! Request–reply on `orders.get`: the order, or a typed error.

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

async fn ask(app: &TestApp, request: &Value) -> Value {
    let client = async_nats::connect(app.nats.url()).await.expect("connects");
    let reply = tokio::time::timeout(
        Duration::from_secs(5),
        client.request("orders.get", request.to_string().into()),
    )
    .await
    .expect("answered in time")
    .expect("answered");
    serde_json::from_slice(&reply.payload).expect("JSON")
}

#[tokio::test]
async fn orders_get_answers_the_order_or_a_typed_error() {
    let mut app = TestApp::spawn().await;
    let placed = app.place_order(Uuid::now_v7()).await;
    let order = ask(&app, &json!({ "id": placed.body["id"] })).await;
    assert_eq!(order["id"], placed.body["id"]);
    assert_eq!(order["status"], "pending");
    let missing = ask(&app, &json!({ "id": Uuid::now_v7() })).await;
    assert_eq!(missing, json!({ "error": { "code": "not_found" } }));
    let malformed = ask(&app, &json!({ "order": 1 })).await;
    assert_eq!(malformed, json!({ "error": { "code": "bad_request" } }));
    app.stop().await;
}
