//! The room as Server-Sent Events: live messages, resume with `Last-Event-ID`, truncation,
//! keep-alive comments and authentication.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::client::Client;
use crate::http::{EventStream, ServerEvent};
use crate::support::{TestNode, bearer, token};

fn data(event: &ServerEvent) -> Value {
    serde_json::from_str(&event.data).expect("JSON data")
}

async fn publish(node: &TestNode, room: &str, count: u64) {
    let mut ann = Client::connect(node, "ann").await;
    ann.join(room).await;
    for n in 1..=count {
        ann.publish(room, json!(n)).await;
    }
    ann.messages(usize::try_from(count).expect("small")).await;
}

#[tokio::test]
async fn listeners_get_messages_as_events_with_their_ids() {
    let node = TestNode::start(&[]).await;
    let authorization = bearer("listener");
    let mut stream =
        EventStream::open(&node, "/rooms/news/events", &[("authorization", &authorization)]).await;
    assert_eq!(stream.status, StatusCode::OK);
    publish(&node, "news", 1).await;
    let event = loop {
        let event = stream.next_event().await;
        if event.event.as_deref() == Some("message") {
            break event;
        }
    };
    assert_eq!(event.id.as_deref(), Some("1"));
    assert_eq!(
        (data(&event)["type"].clone(), data(&event)["body"].clone()),
        (json!("message"), json!(1))
    );
}

#[tokio::test]
async fn last_event_id_resumes_after_the_last_message_seen() {
    let node = TestNode::start(&[]).await;
    publish(&node, "resume", 3).await;
    let authorization = bearer("listener");
    let headers = [("authorization", authorization.as_str()), ("last-event-id", "1")];
    let mut stream = EventStream::open(&node, "/rooms/resume/events", &headers).await;
    let ids = [stream.next_event().await.id, stream.next_event().await.id];
    assert_eq!(ids, [Some("2".to_owned()), Some("3".to_owned())]);
}

#[tokio::test]
async fn a_resume_past_the_history_starts_with_history_truncated() {
    let node = TestNode::start(&[("HISTORY_LENGTH", "2")]).await;
    publish(&node, "short", 5).await;
    let headers = [("last-event-id", "1")];
    let path = format!("/rooms/short/events?access_token={}", token("listener"));
    let mut stream = EventStream::open(&node, &path, &headers).await;
    let first = stream.next_event().await;
    assert_eq!(first.event.as_deref(), Some("error"));
    assert_eq!(data(&first)["code"], "history_truncated");
    assert_eq!(stream.next_event().await.id.as_deref(), Some("4"));
}

#[tokio::test]
async fn quiet_streams_get_keep_alive_comments() {
    let node = TestNode::start(&[]).await;
    let authorization = bearer("listener");
    let mut stream =
        EventStream::open(&node, "/rooms/quiet/events", &[("authorization", &authorization)]).await;
    let comment = loop {
        let next = stream.next().await.expect("open");
        if next.comment {
            break next;
        }
    };
    assert!(comment.event.is_none() && comment.id.is_none());
}

#[tokio::test]
async fn streams_need_a_token_and_a_numeric_last_event_id() {
    let node = TestNode::start(&[]).await;
    let anonymous = EventStream::open(&node, "/rooms/news/events", &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let authorization = bearer("listener");
    let headers = [("authorization", authorization.as_str()), ("last-event-id", "latest")];
    let bad_id = EventStream::open(&node, "/rooms/news/events", &headers).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    let bad_room = EventStream::open(&node, "/rooms/no%20spaces/events", &headers[..1]).await;
    assert_eq!(bad_room.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn streams_end_on_shutdown() {
    let node = TestNode::start(&[]).await;
    let authorization = bearer("listener");
    let mut stream =
        EventStream::open(&node, "/rooms/ending/events", &[("authorization", &authorization)])
            .await;
    node.shut_down().await;
    while stream.next().await.is_some() {}
}
