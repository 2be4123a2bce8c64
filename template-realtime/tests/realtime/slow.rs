//! A client that stops reading is cut off with 1013 once its queue is full; the others get
//! every message, and the slow one recovers what it missed with `since`.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::client::Client;
use crate::support::{TestNode, token};

const MESSAGES: u64 = 1500;

/// Large frames, and no rate limit on the one publisher. Only a full queue may end the slow
/// client: a write stalled for the heartbeat timeout drops a peer as dead, and on a loaded
/// machine, where the flood is slow, that would come first.
const FAST_PUBLISHER: [(&str, &str); 8] = [
    ("MAX_MESSAGE_BYTES", "8192"),
    ("MESSAGE_RATE_PER_SECOND", "100000"),
    ("MESSAGE_RATE_BURST", "100000"),
    ("USER_PUBLISH_RATE_PER_SECOND", "100000"),
    ("USER_PUBLISH_BURST", "100000"),
    ("HISTORY_LENGTH", "5000"),
    ("HEARTBEAT_INTERVAL_MS", "600000"),
    ("HEARTBEAT_TIMEOUT_MS", "1200000"),
];

/// A client with a tiny receive buffer, so the server's writes block soon after it stops reading.
async fn sluggish_client(
    node: &TestNode,
    room: &str,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let socket = TcpSocket::new_v4().expect("set up");
    socket.set_recv_buffer_size(4096).expect("set up");
    let stream = socket.connect(node.address).await.expect("set up");
    let mut request = format!("ws://{}/ws", node.address).into_client_request().expect("set up");
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {}", token("slow")).parse().expect("set up"));
    let (mut client, _) = tokio_tungstenite::client_async(request, stream).await.expect("set up");
    client
        .send(Message::text(json!({"type": "join", "room": room, "ref": "1"}).to_string()))
        .await
        .expect("set up");
    let ack = client.next().await.expect("an answer").expect("a frame");
    assert!(ack.to_text().expect("set up").contains("ack"), "{ack:?}");
    client
}

/// Reads until the server closes; returns the close code and the last message id received.
async fn drain(
    client: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
) -> (Option<u16>, u64) {
    let mut last = 0;
    while let Some(Ok(frame)) = client.next().await {
        match frame {
            Message::Text(text) => {
                let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                last = value["id"].as_u64().unwrap_or(last);
            }
            Message::Close(frame) => return (frame.map(|frame| u16::from(frame.code)), last),
            _ => {}
        }
    }
    (None, last)
}

/// How many slow consumers the node has cut off so far (the counter is process-wide).
fn cut_off(node: &TestNode) -> u64 {
    let metrics = node.state.metrics.render();
    let line = metrics
        .lines()
        .find_map(|line| line.strip_prefix("realtime_slow_consumer_disconnects_total "));
    line.and_then(|count| count.trim().parse().ok()).unwrap_or(0)
}

/// Waits until the node has cut off one more slow consumer than `before`, for as long as the
/// flood goes on: the flood is larger than the slow client's socket buffers and queue can hold,
/// so it must cut the client off before it ends, however slowly the machine runs it.
async fn wait_for_cut_off(node: &TestNode, before: u64, flood: &tokio::task::JoinHandle<()>) {
    loop {
        let flood_over = flood.is_finished();
        if cut_off(node) > before {
            return;
        }
        assert!(!flood_over, "the whole flood went out and no slow consumer was cut off");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Publishes [`MESSAGES`] large messages, one after the other.
async fn flood(mut publisher: Client) {
    for n in 0..MESSAGES {
        publisher.publish("flood", json!({"n": n, "pad": "x".repeat(4000)})).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_cut_off_without_slowing_the_others() {
    let node = TestNode::start(&FAST_PUBLISHER).await;
    let mut slow = sluggish_client(&node, "flood").await;
    let mut fast = Client::connect(&node, "fast").await;
    fast.join("flood").await;
    let reader =
        tokio::spawn(async move { fast.messages(usize::try_from(MESSAGES).unwrap()).await });
    let mut publisher = Client::connect(&node, "publisher").await;
    publisher.join("flood").await;
    let before = cut_off(&node);
    let publishing = tokio::spawn(flood(publisher));
    wait_for_cut_off(&node, before, &publishing).await;
    // Read only now, so that the node had to give up on this client; its close frame waits.
    let drained = tokio::time::timeout(std::time::Duration::from_mins(1), drain(&mut slow)).await;
    let (code, last) = drained.expect("the node closes the slow client");
    assert_eq!(code, Some(1013));
    publishing.await.unwrap();
    let received = reader.await.unwrap();
    assert_eq!(received.last().unwrap()["id"], MESSAGES, "the fast client got everything");
    assert!(last < MESSAGES, "the slow client was cut off before the end");
    let mut again = Client::connect(&node, "slow").await;
    let answer = again.request(json!({"type": "join", "room": "flood", "since": last})).await;
    assert_eq!(answer["type"], "ack");
    let missed = again.messages(usize::try_from(MESSAGES - last).unwrap()).await;
    assert_eq!(missed.first().unwrap()["id"], last + 1);
}
