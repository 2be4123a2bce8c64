//! A small HTTP/1.1 test client over hyper: whole responses, and SSE streams read event by
//! event.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::client::PATIENCE;
use crate::support::TestNode;

/// A whole response, with its body parsed as JSON (or as a string).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts an RFC 9457 problem with `status`, and returns its body.
    pub fn problem(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.headers["content-type"], "application/problem+json");
        assert_eq!(
            (self.body["status"].as_u64(), &self.body["type"]),
            (Some(u64::from(status.as_u16())), &"about:blank".into())
        );
        &self.body
    }
}

/// A request to send.
pub struct Call<'a> {
    pub method: Method,
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a str,
}

/// Sends a request without a body.
pub async fn request(
    node: &TestNode,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    fetch(node, Call { method, path, headers, body: "" }).await
}

/// `POST`s `body` with `headers`.
pub async fn post(node: &TestNode, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    fetch(node, Call { method: Method::POST, path, headers, body }).await
}

/// Sends a prepared request and reads the whole response.
pub async fn fetch(node: &TestNode, call: Call<'_>) -> Reply {
    let response = open(node, call).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply { status, headers, body }
}

/// `GET` with an optional bearer token.
pub async fn get(node: &TestNode, path: &str, token: Option<&str>) -> Reply {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> =
        authorization.iter().map(|value| ("authorization", value.as_str())).collect();
    request(node, Method::GET, path, &headers).await
}

async fn open(node: &TestNode, call: Call<'_>) -> hyper::Response<Incoming> {
    let stream = TcpStream::connect(node.address).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let mut builder = Request::builder()
        .method(call.method)
        .uri(call.path)
        .header("host", node.address.to_string());
    for (name, value) in call.headers {
        builder = builder.header(*name, *value);
    }
    let body = Full::new(Bytes::from(call.body.to_owned()));
    sender.send_request(builder.body(body).expect("request")).await.expect("response")
}

/// An open SSE stream.
pub struct EventStream {
    pub status: StatusCode,
    body: Incoming,
    buffer: String,
}

/// One server-sent event (or keep-alive comment, with `comment` set).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ServerEvent {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: String,
    pub comment: bool,
}

impl EventStream {
    /// Opens `path` with `headers`.
    pub async fn open(node: &TestNode, path: &str, headers: &[(&str, &str)]) -> Self {
        let response = open(node, Call { method: Method::GET, path, headers, body: "" }).await;
        Self { status: response.status(), body: response.into_body(), buffer: String::new() }
    }

    /// The next event or comment; `None` when the stream ends.
    pub async fn next(&mut self) -> Option<ServerEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(parse_event(&block));
            }
            let frame = tokio::time::timeout(PATIENCE, self.body.frame())
                .await
                .expect("an event in time")?;
            let bytes = frame.expect("body").into_data().unwrap_or_default();
            self.buffer.push_str(&String::from_utf8_lossy(&bytes));
        }
    }

    /// The next event that is not a keep-alive comment.
    pub async fn next_event(&mut self) -> ServerEvent {
        loop {
            let event = self.next().await.expect("the stream goes on");
            if !event.comment {
                return event;
            }
        }
    }
}

fn parse_event(block: &str) -> ServerEvent {
    let mut event = ServerEvent::default();
    for line in block.lines() {
        match line.split_once(':') {
            Some(("", _)) => event.comment = true,
            Some(("event", value)) => event.event = Some(value.trim().to_owned()),
            Some(("id", value)) => event.id = Some(value.trim().to_owned()),
            Some(("data", value)) => event.data.push_str(value.trim_start()),
            _ => {}
        }
    }
    event
}
