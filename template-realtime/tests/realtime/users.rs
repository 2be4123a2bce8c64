//! Per-user limits, shared by every transport: connections (WebSocket and SSE together) and
//! one publish rate (WebSocket text and binary frames and `POST /rooms/{room}/messages`).

use axum::http::StatusCode;
use futures_util::SinkExt as _;
use serde_json::json;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::client::Client;
use crate::http::{EventStream, post};
use crate::support::{TestNode, bearer};

fn refused_status(result: Result<Client, tungstenite::Error>) -> StatusCode {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the upgrade should be refused"),
    }
}

#[tokio::test]
async fn a_user_holds_a_bounded_number_of_connections_across_websocket_and_sse() {
    let node = TestNode::start(&[("USER_MAX_CONNECTIONS", "2")]).await;
    let first = Client::connect(&node, "ann").await;
    let ann = bearer("ann");
    let stream = EventStream::open(&node, "/rooms/a/events", &[("authorization", &ann)]).await;
    assert_eq!(stream.status, StatusCode::OK);
    let third = Client::connect_with(&node, "authorization", &ann).await;
    assert_eq!(refused_status(third), StatusCode::TOO_MANY_REQUESTS);
    let sse = EventStream::open(&node, "/rooms/a/events", &[("authorization", &ann)]).await;
    assert_eq!(sse.status, StatusCode::TOO_MANY_REQUESTS);
    let _bob = Client::connect(&node, "bob").await;
    first.close().await;
    let mut again = None;
    for _ in 0..50 {
        if let Ok(client) = Client::connect_with(&node, "authorization", &ann).await {
            again = Some(client);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a closed connection frees its slot");
}

#[tokio::test]
async fn one_publish_rate_per_user_across_websocket_and_http() {
    let node = TestNode::start(&[
        ("USER_PUBLISH_RATE_PER_SECOND", "1"),
        ("USER_PUBLISH_BURST", "3"),
        ("MESSAGE_RATE_BURST", "100"),
    ])
    .await;
    let (mut tab1, mut tab2) =
        (Client::connect(&node, "ann").await, Client::connect(&node, "ann").await);
    tab1.join("shared").await;
    tab2.join("shared").await;
    tab1.publish("shared", json!(1)).await;
    tab2.publish("shared", json!(2)).await;
    let ann = bearer("ann");
    let headers = [("authorization", ann.as_str()), ("content-type", "application/json")];
    let over_http = post(&node, "/rooms/shared/messages", &headers, r#"{"body":3}"#).await;
    assert_eq!(over_http.status, StatusCode::CREATED, "{}", over_http.body);
    let refused = post(&node, "/rooms/shared/messages", &headers, r#"{"body":4}"#).await;
    refused.problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    let answer = tab1.request(json!({"type": "publish", "room": "shared", "body": 5})).await;
    assert_eq!(answer["code"], "rate_limited", "the other tab shares the allowance");
    let bob = bearer("bob");
    let bobs = [("authorization", bob.as_str()), ("content-type", "application/json")];
    let other = post(&node, "/rooms/shared/messages", &bobs, r#"{"body":6}"#).await;
    assert_eq!(other.status, StatusCode::CREATED, "another user has an allowance of their own");
}

#[tokio::test]
async fn binary_frames_cost_a_publication() {
    let node = TestNode::start(&[
        ("USER_PUBLISH_RATE_PER_SECOND", "1"),
        ("USER_PUBLISH_BURST", "2"),
        ("MESSAGE_RATE_BURST", "100"),
    ])
    .await;
    let mut ann = Client::connect(&node, "ann").await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        ann.stream().send(Message::binary(vec![0_u8; 16])).await.expect("send");
        codes.push(ann.next_of("error").await["code"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(codes, ["bad_request", "bad_request", "rate_limited"]);
    ann.join("after").await;
    let answer = ann.request(json!({"type": "publish", "room": "after", "body": 1})).await;
    assert_eq!(answer["code"], "rate_limited", "the binary frames spent the allowance");
}
