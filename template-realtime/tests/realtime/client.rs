//! A WebSocket test client: sends JSON frames, and reads answers by `ref` and pushes by type,
//! keeping whatever arrives in between for later.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{TestNode, token};

/// How long a test waits for a frame before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A connected client.
pub struct Client {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    inbox: VecDeque<Value>,
    next_ref: u32,
}

impl Client {
    /// Connects as `user`, with the token in the `Authorization` header.
    pub async fn connect(node: &TestNode, user: &str) -> Self {
        Self::connect_with(node, "authorization", &format!("Bearer {}", token(user)))
            .await
            .expect("upgrade")
    }

    /// Connects as `user` to the node at `address`.
    pub async fn connect_to(address: &str, user: &str) -> Self {
        let authorization = format!("Bearer {}", token(user));
        Self::connect_at(address, "authorization", &authorization).await.expect("upgrade")
    }

    /// Connects with one extra header, returning the handshake error if the server refuses.
    pub async fn connect_with(
        node: &TestNode,
        name: &'static str,
        value: &str,
    ) -> Result<Self, tungstenite::Error> {
        Self::connect_at(&node.address.to_string(), name, value).await
    }

    async fn connect_at(
        address: &str,
        name: &'static str,
        value: &str,
    ) -> Result<Self, tungstenite::Error> {
        let mut request = format!("ws://{address}/ws").into_client_request()?;
        request.headers_mut().insert(name, HeaderValue::from_str(value).expect("header value"));
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Self { stream, inbox: VecDeque::new(), next_ref: 0 })
    }

    /// Sends a request, with a fresh `ref`, and returns its answer.
    pub async fn request(&mut self, mut frame: Value) -> Value {
        self.next_ref += 1;
        let reference = self.next_ref.to_string();
        frame["ref"] = json!(reference);
        self.send_text(&frame.to_string()).await;
        self.answer(&reference).await
    }

    /// Joins `room` and asserts the `ack`.
    pub async fn join(&mut self, room: &str) {
        let answer = self.request(json!({"type": "join", "room": room})).await;
        assert_eq!(answer["type"], "ack", "{answer}");
    }

    /// Publishes `body` to `room` and asserts the `ack`.
    pub async fn publish(&mut self, room: &str, body: Value) {
        let answer = self.request(json!({"type": "publish", "room": room, "body": body})).await;
        assert_eq!(answer["type"], "ack", "{answer}");
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    /// The answer (`ack`, `pong` or `error`) carrying `reference`.
    pub async fn answer(&mut self, reference: &str) -> Value {
        self.take(|frame| frame["ref"] == reference).await
    }

    /// The next frame of `kind` (`message`, `presence`, `error`…).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        self.take(|frame| frame["type"] == kind).await
    }

    /// The next presence event about `user`.
    pub async fn presence_of(&mut self, user: &str) -> Value {
        self.take(|frame| frame["type"] == "presence" && frame["user"] == user).await
    }

    /// The next `count` messages.
    pub async fn messages(&mut self, count: usize) -> Vec<Value> {
        let mut messages = Vec::with_capacity(count);
        for _ in 0..count {
            messages.push(self.next_of("message").await);
        }
        messages
    }

    async fn take(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.inbox.iter().position(&wanted) {
            return self.inbox.remove(index).expect("present");
        }
        loop {
            let frame = self.read().await.unwrap_or_else(|close| panic!("closed with {close:?}"));
            if wanted(&frame) {
                return frame;
            }
            self.inbox.push_back(frame);
        }
    }

    /// The next JSON frame, or the close code if the server closes first.
    pub async fn read(&mut self) -> Result<Value, Option<u16>> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next());
            let next = next.await.expect("a frame in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("JSON"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map(|frame| u16::from(frame.code)));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// Reads until the server closes; returns its close code (`None` if it just vanished).
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Err(code) = self.read().await {
                return code;
            }
        }
    }

    /// Closes from the client side.
    pub async fn close(mut self) {
        let frame =
            tungstenite::protocol::CloseFrame { code: CloseCode::Normal, reason: "bye".into() };
        let _ = self.stream.close(Some(frame)).await;
    }

    /// The underlying stream, for tests that misbehave on purpose.
    pub fn stream(&mut self) -> &mut WebSocketStream<MaybeTlsStream<TcpStream>> {
        &mut self.stream
    }
}
