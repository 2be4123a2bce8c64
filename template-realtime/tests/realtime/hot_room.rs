//! A hot room: many users publishing into one room at once, over HTTP, while members listen
//! on other nodes. Every publication succeeds, and each member gets every message once, in id
//! order, whatever the broker.

use std::collections::BTreeSet;

use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::client::Client;
use crate::http::post;
use crate::support::{TestNode, token};

const USERS: usize = 100;
const MESSAGES: usize = 3000;
const AT_ONCE: usize = 20;

/// Publishes message `n` as one of [`USERS`] users; returns the status and the answer.
async fn publish(node: &TestNode, tokens: &[String], n: usize) -> (u16, Value) {
    let authorization = format!("Bearer {}", tokens[n % USERS]);
    let headers = [("authorization", authorization.as_str()), ("content-type", "application/json")];
    let body = json!({"body": {"n": n}}).to_string();
    let reply = post(node, "/rooms/hot/messages", &headers, &body).await;
    (reply.status.as_u16(), reply.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishers_into_one_room_all_succeed_and_arrive_in_order_on_another_node() {
    let queue = (MESSAGES + 100).to_string();
    let first = TestNode::start(&[("OUTBOUND_QUEUE", queue.as_str())]).await;
    let second = first.peer().await;
    let mut member = Client::connect(&second, "member").await;
    member.join("hot").await;
    let listening = tokio::spawn(async move { member.messages(MESSAGES).await });
    let tokens: Vec<String> = (0..USERS).map(|user| token(&format!("user-{user}"))).collect();
    let replies: Vec<(u16, Value)> = futures_util::stream::iter(0..MESSAGES)
        .map(|n| publish(&first, &tokens, n))
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let refused: Vec<&(u16, Value)> = replies.iter().filter(|(status, _)| *status != 201).collect();
    assert!(refused.is_empty(), "{} refused, first: {:?}", refused.len(), refused.first());
    let published: BTreeSet<u64> =
        replies.iter().filter_map(|(_, body)| body["id"].as_u64()).collect();
    assert_eq!(published.len(), MESSAGES, "every publication got its own id");
    let received = listening.await.expect("the member reads every message");
    let ids: Vec<u64> = received.iter().map(|message| message["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "in id order, each once");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), published, "the ids that were answered");
    let bodies: BTreeSet<u64> = received.iter().map(|m| m["body"]["n"].as_u64().unwrap()).collect();
    assert_eq!(bodies.len(), MESSAGES, "every message arrived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishers_on_two_nodes_into_one_room_all_succeed_with_one_order() {
    const BOTH: usize = 1000;
    let first = TestNode::start(&[]).await;
    let second = first.peer().await;
    let mut members = Vec::new();
    for node in [&first, &second] {
        let mut member = Client::connect(node, "member").await;
        member.join("hot").await;
        members.push(tokio::spawn(async move { member.messages(BOTH).await }));
    }
    let tokens: Vec<String> = (0..USERS).map(|user| token(&format!("user-{user}"))).collect();
    let nodes = [&first, &second];
    let replies: Vec<(u16, Value)> = futures_util::stream::iter(0..BOTH)
        .map(|n| publish(nodes[n % 2], &tokens, n))
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let refused = replies.iter().filter(|(status, _)| *status != 201).count();
    assert_eq!(refused, 0, "first refusal: {:?}", replies.iter().find(|(s, _)| *s != 201));
    let mut orders = Vec::new();
    for member in members {
        let received = member.await.expect("every message");
        orders.push(received.iter().map(|m| m["id"].as_u64().unwrap()).collect::<Vec<_>>());
    }
    assert!(orders[0].windows(2).all(|pair| pair[0] < pair[1]), "in id order, each once");
    assert_eq!(orders[0], orders[1], "both nodes deliver the same messages in the same order");
}
