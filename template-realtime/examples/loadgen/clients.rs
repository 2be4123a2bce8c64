//! The subscribers and the publisher: WebSocket clients with small buffers, each read by its
//! own task, which times every message it receives.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::SinkExt as _;
use futures_util::stream::{SplitSink, StreamExt as _};
use serde_json::json;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::args::Args;
use crate::stats::{Stats, Step};

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;

/// How many handshakes run at once.
const PARALLEL_HANDSHAKES: usize = 128;

/// Every open connection's sending half, and the publisher.
pub struct Clients {
    senders: Vec<Arc<Mutex<Sink>>>,
    publisher: Arc<Mutex<Sink>>,
    stats: Arc<Stats>,
    started: Instant,
}

impl Clients {
    /// Opens the subscribers and the publisher.
    pub async fn open(args: &Args, stats: &Arc<Stats>) -> Result<Self, Box<dyn std::error::Error>> {
        let started = Instant::now();
        let opened = futures_util::stream::iter(0..args.connections)
            .map(|index| connect(args, index, stats.clone(), started))
            .buffer_unordered(PARALLEL_HANDSHAKES)
            .collect::<Vec<_>>()
            .await;
        let senders = opened.into_iter().collect::<Result<Vec<_>, _>>()?;
        let publisher =
            connect(args, args.connections, Arc::new(Stats::default()), started).await?;
        Ok(Self { senders, publisher, stats: stats.clone(), started })
    }

    /// Every connection, the publisher included, joins `room`.
    pub async fn join_all(&self, room: &str) -> Result<(), Box<dyn std::error::Error>> {
        let join = Message::text(json!({"type": "join", "room": room}).to_string());
        for sender in self.senders.iter().chain(std::iter::once(&self.publisher)) {
            sender.lock().await.send(join.clone()).await?;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        Ok(())
    }

    /// Publishes `rate` messages per second for `duration`, then waits for stragglers.
    pub async fn publish_for(
        &self,
        rate: u32,
        duration: Duration,
    ) -> Result<Step, Box<dyn std::error::Error>> {
        self.stats.reset();
        let start = Instant::now();
        let first_send = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
        while start.elapsed() < duration {
            ticks.tick().await;
            let sent = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            let frame = json!({"type": "publish", "room": "bench", "body": {"t": sent}});
            self.publisher.lock().await.send(Message::text(frame.to_string())).await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(self.stats.step(first_send))
    }
}

async fn connect(
    args: &Args,
    index: usize,
    stats: Arc<Stats>,
    started: Instant,
) -> Result<Arc<Mutex<Sink>>, Box<dyn std::error::Error>> {
    let source =
        Ipv4Addr::new(127, 0, 0, 1 + u8::try_from(index % usize::from(args.sources.max(1)))?);
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((source, 0)))?;
    let stream = socket.connect(args.address).await?;
    stream.set_nodelay(true)?;
    let mut request = format!("ws://{}/ws", args.address).into_client_request()?;
    let authorization = format!("Bearer {}", token(args, &format!("user-{index}"))?);
    request.headers_mut().insert("authorization", authorization.parse()?);
    let config = WebSocketConfig::default().read_buffer_size(512).write_buffer_size(0);
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
    let (sink, stream) = socket.split();
    tokio::spawn(read(stream, stats, started));
    Ok(Arc::new(Mutex::new(sink)))
}

/// Times every message; counts the connection as lost when it ends.
async fn read(
    mut stream: futures_util::stream::SplitStream<WebSocketStream<TcpStream>>,
    stats: Arc<Stats>,
    started: Instant,
) {
    while let Some(Ok(frame)) = stream.next().await {
        let Message::Text(text) = frame else { continue };
        if let Some(sent) = sent_at(&text) {
            let now = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            stats.record(now, Duration::from_nanos(now.saturating_sub(sent)));
        }
    }
    stats.disconnected.fetch_add(1, Ordering::Relaxed);
}

/// The publication time in a `message` frame's body, `{"t": <nanoseconds>}`.
fn sent_at(text: &str) -> Option<u64> {
    let start = text.find("\"body\":{\"t\":")? + "\"body\":{\"t\":".len();
    let digits = text[start..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

fn token(args: &Args, user: &str) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({"sub": user, "iss": args.issuer, "aud": args.audience, "iat": now, "exp": now + 3600});
    let key = jsonwebtoken::EncodingKey::from_secret(args.secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
}
