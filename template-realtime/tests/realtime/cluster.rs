//! Two nodes sharing one broker: messages cross nodes, presence is global, and a client whose
//! node dies reconnects to the other with `since` and misses nothing.

use std::time::Duration;

use serde_json::json;

use crate::client::Client;
use crate::http::get;
use crate::support::{TestNode, token};

#[tokio::test]
async fn messages_cross_nodes_with_ids_increasing_across_them() {
    let first = TestNode::start(&[]).await;
    let second = first.peer().await;
    let (mut ann, mut bob) =
        (Client::connect(&first, "ann").await, Client::connect(&second, "bob").await);
    ann.join("shared").await;
    bob.join("shared").await;
    ann.publish("shared", json!("from the first node")).await;
    bob.publish("shared", json!("from the second node")).await;
    for client in [&mut ann, &mut bob] {
        let ids: Vec<_> =
            client.messages(2).await.iter().map(|m| m["id"].as_u64().unwrap()).collect();
        assert!(ids[0] < ids[1], "{ids:?}");
    }
}

#[tokio::test]
async fn presence_is_global() {
    let first = TestNode::start(&[]).await;
    let second = first.peer().await;
    let (mut ann, mut bob) =
        (Client::connect(&first, "ann").await, Client::connect(&second, "bob").await);
    ann.join("everywhere").await;
    bob.join("everywhere").await;
    assert_eq!(ann.presence_of("bob").await["event"], "joined", "events cross nodes");
    for node in [&first, &second] {
        let reply = get(node, "/rooms/everywhere/presence", Some(&token("carol"))).await;
        assert_eq!(reply.body["users"], json!(["ann", "bob"]));
    }
}

#[tokio::test]
async fn a_client_of_a_dead_node_resumes_on_the_other_and_misses_nothing() {
    let first = TestNode::start(&[("PRESENCE_TTL_MS", "1500")]).await;
    let second = first.peer().await;
    let mut ann = Client::connect(&first, "ann").await;
    ann.join("durable").await;
    let mut bob = Client::connect(&second, "bob").await;
    bob.join("durable").await;
    bob.publish("durable", json!("before")).await;
    let last = ann.next_of("message").await["id"].as_u64().unwrap();
    first.kill();
    assert_eq!(ann.closed().await, None, "the node vanished without a close frame");
    for n in 0..3 {
        bob.publish("durable", json!(n)).await;
    }
    let mut ann = Client::connect(&second, "ann").await;
    let answer = ann.request(json!({"type": "join", "room": "durable", "since": last})).await;
    assert_eq!(answer["type"], "ack");
    let bodies: Vec<_> = ann.messages(3).await.iter().map(|m| m["body"].clone()).collect();
    assert_eq!(bodies, [json!(0), json!(1), json!(2)]);
}

#[tokio::test]
async fn a_dead_nodes_users_leave_presence_after_the_ttl() {
    let first = TestNode::start(&[("PRESENCE_TTL_MS", "600")]).await;
    let second = first.peer().await;
    let mut ann = Client::connect(&first, "ann").await;
    ann.join("fading").await;
    first.kill();
    let mut users = json!(["ann"]);
    for _ in 0..100 {
        users = get(&second, "/rooms/fading/presence", Some(&token("carol"))).await.body["users"]
            .clone();
        if users == json!([]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(users, json!([]), "the entry expired");
}
