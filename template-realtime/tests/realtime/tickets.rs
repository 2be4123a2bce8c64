//! Single-use SSE tickets: `POST /sse-tickets` trades a bearer token for a ticket that opens
//! one stream, once, within `SSE_TICKET_TTL_SECS`.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::client::Client;
use crate::http::{EventStream, request};
use crate::support::{TestNode, bearer};

async fn ticket(node: &TestNode, user: &str) -> String {
    let authorization = bearer(user);
    let reply =
        request(node, Method::POST, "/sse-tickets", &[("authorization", &authorization)]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["expires_in"], 30);
    reply.body["ticket"].as_str().expect("a ticket").to_owned()
}

async fn open(node: &TestNode, ticket: &str) -> EventStream {
    EventStream::open(node, &format!("/rooms/tickets/events?ticket={ticket}"), &[]).await
}

#[tokio::test]
async fn a_ticket_opens_one_stream_once() {
    let node = TestNode::start(&[]).await;
    let ticket = ticket(&node, "listener").await;
    let mut stream = open(&node, &ticket).await;
    assert_eq!(stream.status, StatusCode::OK);
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("tickets").await;
    ann.publish("tickets", json!("via ticket")).await;
    let message = loop {
        let event = stream.next_event().await;
        if event.event.as_deref() == Some("message") {
            break event;
        }
    };
    assert!(message.data.contains("via ticket"), "{message:?}");
    let reply =
        crate::http::get(&node, &format!("/rooms/tickets/events?ticket={ticket}"), None).await;
    reply.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_made_up_and_anonymous_tickets_are_refused() {
    let node = TestNode::start(&[("SSE_TICKET_TTL_SECS", "1")]).await;
    let authorization = bearer("listener");
    let reply =
        request(&node, Method::POST, "/sse-tickets", &[("authorization", &authorization)]).await;
    let ticket = reply.body["ticket"].as_str().expect("a ticket").to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for path in [format!("/rooms/a/events?ticket={ticket}"), "/rooms/a/events?ticket=0f".into()] {
        crate::http::get(&node, &path, None).await.problem(StatusCode::UNAUTHORIZED);
    }
    request(&node, Method::POST, "/sse-tickets", &[]).await.problem(StatusCode::UNAUTHORIZED);
}
