//! Recovery with `since`: every missed message in order before the live ones, or
//! `history_truncated` when some have left the bounded history.

use std::time::Duration;

use serde_json::json;

use crate::client::Client;
use crate::support::TestNode;

async fn ids(client: &mut Client, count: usize) -> Vec<u64> {
    client
        .messages(count)
        .await
        .iter()
        .map(|message| message["id"].as_u64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn a_client_that_rejoins_with_since_gets_what_it_missed_then_live() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("story").await;
    for n in 1..=5 {
        ann.publish("story", json!(n)).await;
    }
    let mut bob = Client::connect(&node, "bob").await;
    let answer = bob.request(json!({"type": "join", "room": "story", "since": 2})).await;
    assert_eq!(answer["type"], "ack");
    ann.publish("story", json!(6)).await;
    assert_eq!(ids(&mut bob, 4).await, [3, 4, 5, 6]);
}

#[tokio::test]
async fn an_up_to_date_client_gets_no_replay() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("calm").await;
    ann.publish("calm", json!(1)).await;
    let mut bob = Client::connect(&node, "bob").await;
    assert_eq!(
        bob.request(json!({"type": "join", "room": "calm", "since": 1})).await["type"],
        "ack"
    );
    ann.publish("calm", json!(2)).await;
    assert_eq!(ids(&mut bob, 1).await, [2]);
}

#[tokio::test]
async fn what_fell_out_of_the_history_is_reported() {
    let node = TestNode::start(&[("HISTORY_LENGTH", "3")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("long").await;
    for n in 1..=6 {
        ann.publish("long", json!(n)).await;
    }
    let mut bob = Client::connect(&node, "bob").await;
    let answer = bob.request(json!({"type": "join", "room": "long", "since": 1})).await;
    assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!("history_truncated")));
    assert_eq!(ids(&mut bob, 3).await, [4, 5, 6]);
    bob.publish("long", json!("still joined")).await;
}

#[tokio::test]
async fn messages_older_than_the_age_limit_are_not_replayed() {
    let node = TestNode::start(&[("HISTORY_MAX_AGE_SECS", "1")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("stale").await;
    ann.publish("stale", json!("old")).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    ann.publish("stale", json!("new")).await;
    let mut bob = Client::connect(&node, "bob").await;
    let answer = bob.request(json!({"type": "join", "room": "stale", "since": 0})).await;
    assert_eq!(answer["code"], "history_truncated");
    assert_eq!(bob.next_of("message").await["body"], "new");
}
