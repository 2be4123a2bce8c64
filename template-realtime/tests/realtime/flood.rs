//! Posting to ever new rooms does not grow the node without bound: the history keeps within
//! `HISTORY_MAX_BYTES` and `HISTORY_MAX_ROOMS`, a room with members keeps its ids, a room that
//! was evicted starts above its old ids, and past `MAX_ROOMS` a node refuses new rooms.

use axum::http::StatusCode;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::client::Client;
use crate::http::{EventStream, post};
use crate::support::{TestNode, bearer};

const ROOMS: usize = 2000;
const BUDGET: usize = 1_000_000;

/// Posts a 3.8 KB message to `room`; returns the status and the answer.
async fn post_large(node: &TestNode, authorization: &str, room: &str) -> (u16, Value) {
    let headers = [("authorization", authorization), ("content-type", "application/json")];
    let body = json!({"body": {"pad": "x".repeat(3800)}}).to_string();
    let reply = post(node, &format!("/rooms/{room}/messages"), &headers, &body).await;
    (reply.status.as_u16(), reply.body)
}

/// Posts one message into each of the rooms `flood-1` to `flood-<ROOMS - 1>`, 20 at a time;
/// each must be accepted.
async fn flood(node: &TestNode, authorization: &str) {
    let replies: Vec<(u16, Value)> = futures_util::stream::iter(1..ROOMS)
        .map(|n| async move { post_large(node, authorization, &format!("flood-{n}")).await })
        .buffer_unordered(20)
        .collect()
        .await;
    assert!(replies.iter().all(|(status, _)| *status == 201), "every post is accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posting_to_ever_new_rooms_keeps_the_history_within_its_bounds() {
    let budget = BUDGET.to_string();
    let node = TestNode::start(&[
        ("MAX_MESSAGE_BYTES", "8192"),
        ("HISTORY_MAX_BYTES", &budget),
        ("HISTORY_MAX_ROOMS", "500"),
        ("USER_PUBLISH_RATE_PER_SECOND", "100000"),
        ("USER_PUBLISH_BURST", "100000"),
        // The member reads nothing during the flood: no pongs, so no heartbeat cut-off.
        ("HEARTBEAT_INTERVAL_MS", "60000"),
        ("HEARTBEAT_TIMEOUT_MS", "120000"),
    ])
    .await;
    let mut member = Client::connect(&node, "member").await;
    member.join("kept").await;
    member.publish("kept", json!("before")).await;
    let authorization = bearer("flooder");
    let first = post_large(&node, &authorization, "flood-0").await;
    flood(&node, &authorization).await;
    if let Some(held) = node.state.rooms.broker().held() {
        assert!(held.bytes <= BUDGET, "{held:?}");
        assert!(held.rooms <= 500, "{held:?}");
    }
    let again = post_large(&node, &authorization, "flood-0").await;
    assert!(again.1["id"].as_u64() > first.1["id"].as_u64(), "{} after {}", again.1, first.1);
    member.publish("kept", json!("after")).await;
    let ids: Vec<u64> =
        member.messages(2).await.iter().map(|m| m["id"].as_u64().unwrap()).collect();
    assert!(ids[0] < ids[1], "the room with a member goes on: {ids:?}");
}

#[tokio::test]
async fn past_max_rooms_a_node_refuses_new_rooms() {
    let node = TestNode::start(&[("MAX_ROOMS", "2")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("one").await;
    ann.join("two").await;
    let refused = ann.request(json!({"type": "join", "room": "three", "ref": "x"})).await;
    assert_eq!(refused["code"], "room_limit", "{refused}");
    let authorization = bearer("bob");
    let sse =
        EventStream::open(&node, "/rooms/three/events", &[("authorization", &authorization)]).await;
    assert_eq!(sse.status, StatusCode::SERVICE_UNAVAILABLE);
    let sse =
        EventStream::open(&node, "/rooms/one/events", &[("authorization", &authorization)]).await;
    assert_eq!(sse.status, StatusCode::OK, "rooms already open take more members");
}
