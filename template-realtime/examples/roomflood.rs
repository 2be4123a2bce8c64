//! Floods a node with messages to ever new rooms over `POST /rooms/{room}/messages`, and
//! reports how its resident memory grew: the check that the history stays within its budget.
//!
//! ```sh
//! JWT_SECRET=… JWT_ISSUER=… JWT_AUDIENCE=… cargo run --release --example roomflood -- \
//!     127.0.0.1:8080 <pid of the node> [messages, default 40000] [bytes each, default 3800]
//! ```
//!
//! The messages come from 1,000 users, 40 each (the default per-user burst), each into a room
//! of its own, 32 requests at a time over keep-alive connections.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::StreamExt as _;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::json;

const USERS: usize = 1000;
const AT_ONCE: usize = 32;

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address: SocketAddr = args.first().ok_or("the node's address")?.parse()?;
    let pid: u32 = args.get(1).ok_or("the node's pid")?.parse()?;
    let messages: usize = args.get(2).map_or(Ok(40_000), |count| count.parse())?;
    let size: usize = args.get(3).map_or(Ok(3800), |size| size.parse())?;
    let tokens: Vec<String> = (0..USERS).map(|user| token(&format!("flood-{user}"))).collect();
    let before = resident_kib(pid)?;
    let statuses = flood(address, &tokens, messages, size).await?;
    let after = resident_kib(pid)?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let settled = resident_kib(pid)?;
    println!("{messages} messages of {size} bytes into {messages} rooms: {statuses:?}");
    println!("resident memory: {before} KiB before, {after} KiB after, {settled} KiB 2 s later");
    println!("growth: {} MiB", settled.saturating_sub(before) / 1024);
    Ok(())
}

/// Posts `messages` bodies of `size` bytes; returns how many got each status.
async fn flood(
    address: SocketAddr,
    tokens: &[String],
    messages: usize,
    size: usize,
) -> Result<std::collections::BTreeMap<u16, usize>, Box<dyn std::error::Error>> {
    let body = Bytes::from(json!({"body": {"pad": "x".repeat(size)}}).to_string());
    let lanes = (0..AT_ONCE).map(|lane| {
        let body = body.clone();
        async move {
            let mut sender = connect(address).await?;
            let mut statuses = Vec::new();
            for n in (lane..messages).step_by(AT_ONCE) {
                let token = &tokens[n % tokens.len()];
                let request = request(address, token, n, body.clone())?;
                statuses.push(send(&mut sender, request).await?);
            }
            Ok::<_, Box<dyn std::error::Error>>(statuses)
        }
    });
    let mut counts = std::collections::BTreeMap::new();
    let results: Vec<_> =
        futures_util::stream::iter(lanes).buffer_unordered(AT_ONCE).collect().await;
    for statuses in results {
        for status in statuses? {
            *counts.entry(status).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

async fn connect(address: SocketAddr) -> Result<Sender, Box<dyn std::error::Error>> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// `POST /rooms/flood-<room>/messages` as the holder of `token`.
fn request(
    address: SocketAddr,
    token: &str,
    room: usize,
    body: Bytes,
) -> Result<hyper::Request<Full<Bytes>>, hyper::http::Error> {
    hyper::Request::post(format!("/rooms/flood-{room}/messages"))
        .header("host", address.to_string())
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(body))
}

/// Sends the request and reads the whole answer; returns its status.
async fn send(
    sender: &mut Sender,
    request: hyper::Request<Full<Bytes>>,
) -> Result<u16, Box<dyn std::error::Error>> {
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}

fn token(user: &str) -> String {
    let variable = |name: &str| std::env::var(name).unwrap_or_default();
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({
        "sub": user, "iss": variable("JWT_ISSUER"), "aud": variable("JWT_AUDIENCE"),
        "iat": now, "exp": now + 3600,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(variable("JWT_SECRET").as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap_or_default()
}

/// `VmRSS` of the process, in KiB.
fn resident_kib(pid: u32) -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).ok_or("no VmRSS")?;
    let kib = line.split_whitespace().nth(1).ok_or("no VmRSS value")?;
    Ok(kib.parse()?)
}
