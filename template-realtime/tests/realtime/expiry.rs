//! Tokens bound the life of the connections they open: a WebSocket closes with 4001 when its
//! token expires, unless the client sent a fresh token in a `reauth` frame; an SSE stream
//! ends with a `token_expired` event.

use std::time::Duration;

use serde_json::json;

use crate::client::Client;
use crate::http::EventStream;
use crate::support::{TestNode, token, token_expiring};

async fn connect_expiring(node: &TestNode, user: &str, lifetime: u64) -> Client {
    let authorization = format!("Bearer {}", token_expiring(user, lifetime));
    Client::connect_with(node, "authorization", &authorization).await.expect("upgrade")
}

#[tokio::test]
async fn a_websocket_closes_with_4001_when_its_token_expires() {
    let node = TestNode::start(&[]).await;
    let mut ann = connect_expiring(&node, "ann", 3).await;
    ann.join("brief").await;
    ann.publish("brief", json!("while valid")).await;
    assert_eq!(ann.closed().await, Some(4001), "closed once exp has passed");
    let metrics = node.state.metrics.render();
    assert!(metrics.contains("realtime_token_expiry_disconnects_total"), "{metrics}");
}

#[tokio::test]
async fn a_reauth_frame_keeps_the_connection_open_past_the_old_exp() {
    let node = TestNode::start(&[]).await;
    let mut ann = connect_expiring(&node, "ann", 2).await;
    let fresh = ann.request(json!({"type": "reauth", "token": token("ann")})).await;
    assert_eq!(fresh["type"], "ack", "{fresh}");
    let foreign = ann.request(json!({"type": "reauth", "token": token("bob")})).await;
    assert_eq!(foreign["code"], "invalid_token", "a token for another user is refused");
    let garbage = ann.request(json!({"type": "reauth", "token": "not.a.token"})).await;
    assert_eq!(garbage["code"], "invalid_token");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(ann.request(json!({"type": "ping"})).await["type"], "pong", "still open");
}

#[tokio::test]
async fn a_refused_reauth_leaves_the_old_expiry_in_force() {
    let node = TestNode::start(&[]).await;
    let mut ann = connect_expiring(&node, "ann", 2).await;
    let foreign = ann.request(json!({"type": "reauth", "token": token("bob")})).await;
    assert_eq!(foreign["code"], "invalid_token");
    assert_eq!(ann.closed().await, Some(4001));
}

#[tokio::test]
async fn an_sse_stream_ends_with_token_expired() {
    let node = TestNode::start(&[]).await;
    let authorization = format!("Bearer {}", token_expiring("listener", 2));
    let mut stream =
        EventStream::open(&node, "/rooms/brief/events", &[("authorization", &authorization)]).await;
    let last = loop {
        let event = stream.next_event().await;
        if event.event.as_deref() != Some("presence") {
            break event;
        }
    };
    assert_eq!(last.event.as_deref(), Some("error"));
    let data: serde_json::Value = serde_json::from_str(&last.data).expect("JSON");
    assert_eq!(data["code"], "token_expired");
    while let Some(event) = stream.next().await {
        assert!(event.comment, "nothing but keep-alives after the last event: {event:?}");
    }
}
