//! `RATE_LIMIT_STORE=redis`: two nodes on one Redis give a user one publish allowance, not
//! one per node, and the allowance's key expires.

use std::time::Instant;

use axum::http::StatusCode;

use crate::http::post;
use crate::support::{TestNode, bearer, random_suffix};

const BURST: usize = 4;

/// Publications over HTTP alternating between `nodes`, until one is refused: how many passed.
async fn alternate_until_refused(nodes: [&TestNode; 2], user: &str) -> usize {
    let token = bearer(user);
    let headers = [("authorization", token.as_str()), ("content-type", "application/json")];
    for sent in 0..4 * BURST {
        let reply =
            post(nodes[sent % 2], "/rooms/shared/messages", &headers, r#"{"body":1}"#).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            return sent;
        }
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    4 * BURST
}

fn limits(store: &'static str) -> [(&'static str, &'static str); 4] {
    [
        ("RATE_LIMIT_STORE", store),
        ("USER_PUBLISH_RATE_PER_SECOND", "1"),
        ("USER_PUBLISH_BURST", "4"),
        ("MESSAGE_RATE_BURST", "100"),
    ]
}

#[tokio::test]
async fn a_user_alternating_between_nodes_has_one_allowance() {
    let prefix = format!("test-{}", random_suffix());
    let mut settings = limits("redis").to_vec();
    settings.push(("BROKER_PREFIX", &prefix));
    let first = TestNode::start(&settings).await;
    let second = first.peer().await;
    let started = Instant::now();
    let passed = alternate_until_refused([&first, &second], "ann").await;
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap_or(usize::MAX);
    assert!((BURST..=BURST + refilled).contains(&passed), "{passed} passed");
    let client = redis::Client::open("redis://127.0.0.1:6379").expect("REDIS_URL");
    let mut redis = client.get_multiplexed_async_connection().await.expect("Redis");
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}:publish:ann"))
        .query_async(&mut redis)
        .await
        .expect("PTTL");
    assert!(ttl > 0 && ttl <= 4_000, "the key expires when the bucket is full again: {ttl}");
}

#[tokio::test]
async fn in_memory_each_node_has_an_allowance_of_its_own() {
    let first = TestNode::start(&limits("memory")).await;
    let second = first.peer().await;
    let started = Instant::now();
    let passed = alternate_until_refused([&first, &second], "ann").await;
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap_or(usize::MAX);
    assert!((2 * BURST..=2 * BURST + 2 * refilled).contains(&passed), "{passed} passed");
}
