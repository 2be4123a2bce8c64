//! The rooms stream is bounded for all rooms together (`HISTORY_MAX_BYTES`), per room
//! (`HISTORY_LENGTH`) and in age; a room whose messages all went starts its chain above them.

use async_nats::jetstream;
use serde_json::json;

use crate::client::Client;
use crate::service::rooms::hex;
use crate::support::{TestNode, random_suffix};

#[tokio::test]
async fn the_rooms_stream_has_the_history_limits() {
    let prefix = format!("test-{}", random_suffix());
    let vars = [
        ("BROKER_PREFIX", prefix.as_str()),
        ("HISTORY_MAX_BYTES", "2000000"),
        ("HISTORY_LENGTH", "50"),
        ("HISTORY_MAX_AGE_SECS", "600"),
    ];
    let node = TestNode::start(&vars).await;
    let client = async_nats::connect("nats://127.0.0.1:4222").await.expect("NATS");
    let mut stream =
        jetstream::new(client).get_stream(format!("{prefix}_ROOMS")).await.expect("the stream");
    let config = stream.info().await.expect("info").config.clone();
    assert_eq!(config.max_bytes, 2_000_000);
    assert_eq!(config.max_messages_per_subject, 50);
    assert_eq!(config.max_age, std::time::Duration::from_mins(20));
    drop(node);
}

#[tokio::test]
async fn a_room_whose_messages_went_reports_them_gone() {
    let prefix = format!("test-{}", random_suffix());
    let node = TestNode::start(&[("BROKER_PREFIX", &prefix)]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("fading").await;
    ann.join("elsewhere").await;
    ann.publish("fading", json!(1)).await;
    ann.publish("fading", json!(2)).await;
    ann.publish("elsewhere", json!(3)).await;
    let client = async_nats::connect("nats://127.0.0.1:4222").await.expect("NATS");
    let stream =
        jetstream::new(client).get_stream(format!("{prefix}_ROOMS")).await.expect("the stream");
    stream.purge().filter(format!("{prefix}.room.{}", hex("fading"))).await.expect("purge");
    let mut bob = Client::connect(&node, "bob").await;
    let answer = bob.request(json!({"type": "join", "room": "fading", "since": 1})).await;
    assert_eq!(answer["code"], "history_truncated", "message 2 went: {answer}");
    let up_to_date = bob.request(json!({"type": "join", "room": "fresh", "since": 2})).await;
    assert_eq!(up_to_date["type"], "ack", "nothing after 2 was dropped");
}
