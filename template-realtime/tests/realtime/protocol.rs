//! The protocol over a real WebSocket: join, leave, publish, ping, presence, errors.

use futures_util::SinkExt as _;
use serde_json::json;

use crate::client::Client;
use crate::support::{TestNode, random_suffix};

#[tokio::test]
async fn members_receive_each_message_with_its_id_sender_and_time() {
    let node = TestNode::start(&[]).await;
    let room = format!("lobby-{}", random_suffix());
    let (mut ann, mut bob) =
        (Client::connect(&node, "ann").await, Client::connect(&node, "bob").await);
    ann.join(&room).await;
    bob.join(&room).await;
    ann.publish(&room, json!({"text": "hi"})).await;
    for client in [&mut ann, &mut bob] {
        let message = client.next_of("message").await;
        assert_eq!(
            (&message["room"], &message["id"], &message["from"]),
            (&json!(room), &json!(1), &json!("ann"))
        );
        assert_eq!(message["body"], json!({"text": "hi"}));
        assert!(chrono::DateTime::parse_from_rfc3339(message["ts"].as_str().unwrap()).is_ok());
    }
}

#[tokio::test]
async fn ids_increase_strictly_within_a_room() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("counting").await;
    for n in 0..5 {
        ann.publish("counting", json!(n)).await;
    }
    let ids: Vec<u64> = ann.messages(5).await.iter().map(|m| m["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn presence_events_announce_arrivals_and_departures() {
    let node = TestNode::start(&[]).await;
    let (mut ann, mut bob) =
        (Client::connect(&node, "ann").await, Client::connect(&node, "bob").await);
    ann.join("hall").await;
    bob.join("hall").await;
    let joined = json!({"type": "presence", "room": "hall", "event": "joined", "user": "bob"});
    assert_eq!(ann.presence_of("bob").await, joined);
    let answer = bob.request(json!({"type": "leave", "room": "hall"})).await;
    assert_eq!(answer["type"], "ack");
    assert_eq!(ann.presence_of("bob").await["event"], "left");
}

#[tokio::test]
async fn only_members_publish_and_leave() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    let publish = ann.request(json!({"type": "publish", "room": "elsewhere", "body": 1})).await;
    assert_eq!((&publish["type"], &publish["code"]), (&json!("error"), &json!("not_joined")));
    let leave = ann.request(json!({"type": "leave", "room": "elsewhere"})).await;
    assert_eq!(leave["code"], "not_joined");
    ann.join("here").await;
    ann.join("here").await;
    let leave = ann.request(json!({"type": "leave", "room": "here"})).await;
    assert_eq!(leave["type"], "ack", "joining twice is one membership");
}

#[tokio::test]
async fn ping_gets_pong_with_its_ref() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    assert_eq!(ann.request(json!({"type": "ping"})).await, json!({"type": "pong", "ref": "1"}));
}

#[tokio::test]
async fn malformed_frames_are_bad_requests_and_the_connection_survives() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    for frame in [
        json!({"type": "dance"}),
        json!({"type": "join", "room": "no spaces"}),
        json!({"type": "join"}),
    ] {
        let answer = ann.request(frame).await;
        assert_eq!(
            (&answer["type"], &answer["code"]),
            (&json!("error"), &json!("bad_request")),
            "{answer}"
        );
    }
    ann.send_text("{not json").await;
    assert_eq!(ann.next_of("error").await["code"], "bad_request");
    ann.stream().send(tokio_tungstenite::tungstenite::Message::binary(vec![1, 2])).await.unwrap();
    assert_eq!(ann.next_of("error").await["code"], "bad_request");
    assert_eq!(ann.request(json!({"type": "ping"})).await["type"], "pong");
}

#[tokio::test]
async fn messages_stay_in_their_room() {
    let node = TestNode::start(&[]).await;
    let (mut ann, mut bob) =
        (Client::connect(&node, "ann").await, Client::connect(&node, "bob").await);
    ann.join("one").await;
    bob.join("two").await;
    ann.publish("one", json!("for one")).await;
    bob.publish("two", json!("for two")).await;
    assert_eq!(ann.next_of("message").await["body"], "for one");
    assert_eq!(bob.next_of("message").await["body"], "for two");
}

#[tokio::test]
async fn an_error_for_invalid_fields_echoes_the_ref() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    for (frame, reference) in [
        (r#"{"type":"join","room":"r","since":-1,"ref":"x"}"#, "x"),
        (r#"{"type":"publish","room":"r","body":1,"since":"soon","ref":"y"}"#, "y"),
        (r#"{"type":["join"],"ref":"z"}"#, "z"),
    ] {
        ann.send_text(frame).await;
        let answer = ann.answer(reference).await;
        assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!("bad_request")));
    }
}
