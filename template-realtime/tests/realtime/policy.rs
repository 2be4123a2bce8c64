//! The room policy, on every transport: by default every authenticated user may join, read and
//! publish everywhere; with `ROOM_POLICY=owner`, `user-<id>` rooms belong to their owner.

use axum::http::StatusCode;
use serde_json::json;

use crate::client::Client;
use crate::http::{EventStream, get, post};
use crate::support::{TestNode, bearer, token};

/// What `user` gets in `room`: WebSocket join, SSE, HTTP publish and presence.
async fn outcomes(node: &TestNode, user: &str, room: &str) -> (String, u16, u16, u16) {
    let mut client = Client::connect(node, user).await;
    let join = client.request(json!({"type": "join", "room": room})).await;
    let join = join["code"].as_str().unwrap_or("ack").to_owned();
    let authorization = bearer(user);
    let path = format!("/rooms/{room}/events");
    let sse = EventStream::open(node, &path, &[("authorization", &authorization)]).await;
    let headers = [("authorization", authorization.as_str()), ("content-type", "application/json")];
    let published = post(node, &format!("/rooms/{room}/messages"), &headers, r#"{"body":1}"#).await;
    let presence = get(node, &format!("/rooms/{room}/presence"), Some(&token(user))).await;
    (join, sse.status.as_u16(), published.status.as_u16(), presence.status.as_u16())
}

#[tokio::test]
async fn by_default_every_authenticated_user_may_do_everything() {
    let node = TestNode::start(&[]).await;
    assert_eq!(outcomes(&node, "bob", "user-ann").await, ("ack".to_owned(), 200, 201, 200));
    let mut bob = Client::connect(&node, "bob").await;
    bob.join("user-ann").await;
    bob.publish("user-ann", json!("hello")).await;
}

#[tokio::test]
async fn the_owner_policy_keeps_user_rooms_to_their_owner() {
    let node = TestNode::start(&[("ROOM_POLICY", "owner")]).await;
    assert_eq!(outcomes(&node, "ann", "user-ann").await, ("ack".to_owned(), 200, 201, 200));
    assert_eq!(outcomes(&node, "bob", "user-ann").await, ("forbidden".to_owned(), 403, 403, 403));
    assert_eq!(outcomes(&node, "bob", "lobby").await, ("ack".to_owned(), 200, 201, 200));
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("user-ann").await;
    ann.publish("user-ann", json!("mine")).await;
    let authorization = bearer("bob");
    let headers = [("authorization", authorization.as_str()), ("content-type", "application/json")];
    let refused = post(&node, "/rooms/user-ann/messages", &headers, r#"{"body":1}"#).await;
    assert!(refused.problem(StatusCode::FORBIDDEN)["detail"].as_str().unwrap().contains("policy"));
}
