//! Redis pub/sub delivers at most once: a message can be stored in its room's stream and never
//! reach a node (its subscription dropped at that moment). The next message names it as its
//! `prev`, and the node reads it back from the stream before delivering that one.

use serde_json::json;

use crate::client::Client;
use crate::support::{TestNode, random_suffix};

/// Stores a message in `room` the way the publish script does, but publishes nothing.
async fn store_without_publishing(prefix: &str, room: &str) {
    let client = redis::Client::open("redis://127.0.0.1:6379").expect("REDIS_URL");
    let mut redis = client.get_multiplexed_async_connection().await.expect("Redis");
    let seq: u64 = redis::cmd("INCR")
        .arg(format!("{prefix}:seq:{room}"))
        .query_async(&mut redis)
        .await
        .expect("INCR");
    let ts = chrono::Utc::now().to_rfc3339();
    let message = json!({"id": seq, "prev": seq - 1, "room": room, "from": "ghost", "body": "lost", "ts": ts});
    redis::cmd("XADD")
        .arg(format!("{prefix}:history:{room}"))
        .arg(format!("0-{seq}"))
        .arg("m")
        .arg(message.to_string())
        .query_async::<()>(&mut redis)
        .await
        .expect("XADD");
}

#[tokio::test]
async fn a_message_lost_on_pubsub_is_read_back_from_the_stream() {
    let prefix = format!("test-{}", random_suffix());
    let node = TestNode::start(&[("BROKER_PREFIX", &prefix)]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("gappy").await;
    ann.publish("gappy", json!("first")).await;
    store_without_publishing(&prefix, "gappy").await;
    ann.publish("gappy", json!("third")).await;
    let messages = ann.messages(3).await;
    let seen: Vec<_> =
        messages.iter().map(|message| (message["id"].clone(), message["body"].clone())).collect();
    assert_eq!(
        seen,
        [(json!(1), json!("first")), (json!(2), json!("lost")), (json!(3), json!("third"))]
    );
}
