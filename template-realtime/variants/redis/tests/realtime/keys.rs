//! Every per-room key expires, so posting to ever new rooms costs Redis nothing for long; ids
//! still never go back, because a room whose counter expired starts again from the floor.

use serde_json::json;

use crate::client::Client;
use crate::support::{TestNode, random_suffix};

async fn redis() -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open("redis://127.0.0.1:6379").expect("REDIS_URL");
    client.get_multiplexed_async_connection().await.expect("Redis")
}

async fn ttl_millis(redis: &mut redis::aio::MultiplexedConnection, key: &str) -> i64 {
    redis::cmd("PTTL").arg(key).query_async(redis).await.expect("PTTL")
}

#[tokio::test]
async fn room_keys_expire_and_a_recreated_room_starts_above_its_old_ids() {
    let prefix = format!("test-{}", random_suffix());
    let node = TestNode::start(&[("BROKER_PREFIX", &prefix), ("HISTORY_MAX_AGE_SECS", "60")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("fleeting").await;
    for n in 0..3 {
        ann.publish("fleeting", json!(n)).await;
    }
    let mut redis = redis().await;
    for kind in ["seq", "history", "presence"] {
        let ttl = ttl_millis(&mut redis, &format!("{prefix}:{kind}:fleeting")).await;
        assert!(ttl > 0 && ttl <= 120_000, "{kind}: {ttl} ms");
    }
    redis::cmd("DEL")
        .arg(format!("{prefix}:seq:fleeting"))
        .arg(format!("{prefix}:history:fleeting"))
        .query_async::<()>(&mut redis)
        .await
        .expect("DEL");
    ann.publish("fleeting", json!("after expiry")).await;
    let ids: Vec<u64> = ann.messages(4).await.iter().map(|m| m["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4], "the member gets the next message, above the old ids");
    let mut bob = Client::connect(&node, "bob").await;
    let answer = bob.request(json!({"type": "join", "room": "fleeting", "since": 1})).await;
    assert_eq!(answer["code"], "history_truncated", "what expired is reported gone");
}
