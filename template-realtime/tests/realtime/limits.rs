//! Every limit: frame size, message rate, rooms per connection, connections per node, and the
//! slow consumer cut off with 1013 while the others keep up.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::client::{Client, PATIENCE};
use crate::support::{TestNode, token};

#[tokio::test]
async fn large_frames_get_too_large_and_huge_ones_close_with_1009() {
    let node = TestNode::start(&[("MAX_MESSAGE_BYTES", "256")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("big").await;
    let answer =
        ann.request(json!({"type": "publish", "room": "big", "body": "x".repeat(300)})).await;
    assert_eq!((&answer["code"], &answer["ref"]), (&json!("too_large"), &json!("2")));
    assert_eq!(ann.request(json!({"type": "ping"})).await["type"], "pong");
    ann.send_text(&json!({"type": "ping", "pad": "x".repeat(600)}).to_string()).await;
    assert_eq!(ann.closed().await, Some(1009));
}

#[tokio::test]
async fn a_client_over_its_rate_is_refused_then_closed_with_1008() {
    let node =
        TestNode::start(&[("MESSAGE_RATE_PER_SECOND", "1"), ("MESSAGE_RATE_BURST", "3")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    let answers: Vec<_> = [
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
        ann.request(json!({"type": "ping"})).await,
    ]
    .into_iter()
    .map(|answer| answer["code"].as_str().unwrap_or("pong").to_owned())
    .collect();
    assert_eq!(answers[3], "rate_limited", "{answers:?}");
    for _ in 0..3 {
        ann.send_text(r#"{"type":"ping"}"#).await;
    }
    assert_eq!(ann.closed().await, Some(1008));
}

/// A client that floods without reading, and whose receive buffer is tiny, is closed with 1008
/// and still gets the close frame. The node's last answers and its close frame wait in the
/// node's send queue; were the socket dropped with the client's flood still unread, the kernel
/// would answer with a reset and throw that queue away (the client would see 1006). The node
/// reads what the client sends until the client's own close frame before it drops the socket.
#[tokio::test]
async fn a_client_flooding_without_reading_still_gets_the_1008_close_frame() {
    let node =
        TestNode::start(&[("MESSAGE_RATE_PER_SECOND", "1"), ("MESSAGE_RATE_BURST", "20")]).await;
    let socket = TcpSocket::new_v4().expect("set up");
    socket.set_recv_buffer_size(1).expect("set up");
    let stream = socket.connect(node.address).await.expect("set up");
    let mut request = format!("ws://{}/ws", node.address).into_client_request().expect("set up");
    let authorization = format!("Bearer {}", token("flood")).parse().expect("set up");
    request.headers_mut().insert("authorization", authorization);
    let (mut client, _) = tokio_tungstenite::client_async(request, stream).await.expect("set up");
    let frame = json!({"type": "ping", "ref": "r", "pad": "x".repeat(1000)}).to_string();
    for _ in 0..2000 {
        if client.send(Message::text(frame.clone())).await.is_err() {
            break;
        }
    }
    let mut close = None;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(PATIENCE, client.next()).await {
        if let Message::Close(frame) = message {
            close = frame.map(|frame| (u16::from(frame.code), frame.reason.to_string()));
            break;
        }
    }
    assert_eq!(close, Some((1008, "message rate exceeded".to_owned())));
}

#[tokio::test]
async fn a_connection_joins_a_bounded_number_of_rooms() {
    let node = TestNode::start(&[("MAX_ROOMS_PER_CONNECTION", "2")]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("a").await;
    ann.join("b").await;
    let answer = ann.request(json!({"type": "join", "room": "c"})).await;
    assert_eq!(answer["code"], "too_many_rooms");
    assert_eq!(ann.request(json!({"type": "leave", "room": "a"})).await["type"], "ack");
    ann.join("c").await;
}

#[tokio::test]
async fn past_the_connection_limit_upgrades_get_503() {
    let node = TestNode::start(&[("MAX_CONNECTIONS", "1")]).await;
    let first = Client::connect(&node, "ann").await;
    let second =
        Client::connect_with(&node, "authorization", &format!("Bearer {}", token("bob"))).await;
    let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = second else {
        panic!("not refused")
    };
    assert_eq!(response.status(), 503);
    first.close().await;
}
