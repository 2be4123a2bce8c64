//! The subscribers and the publisher: WebSocket clients with small buffers, each read by its
//! own task. Subscribers time every message they receive; the publisher counts the node's
//! answers to its publications.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::SinkExt as _;
use futures_util::stream::{SplitSink, SplitStream, StreamExt as _};
use serde_json::json;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::args::Args;
use crate::stats::{Published, Stats, Step};

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;
type Source = SplitStream<WebSocketStream<TcpStream>>;
type Failure = Box<dyn std::error::Error>;

/// How many handshakes run at once.
const PARALLEL_HANDSHAKES: usize = 128;
/// A step ends when every expected delivery arrived, or after this long without one.
const STALL: Duration = Duration::from_secs(5);

/// Every open connection's sending half, and the publisher.
pub struct Clients {
    senders: Vec<Arc<Mutex<Sink>>>,
    publisher: Arc<Mutex<Sink>>,
    /// What the subscribers receive.
    stats: Arc<Stats>,
    /// What the publisher receives: its acks and errors.
    answers: Arc<Stats>,
    started: Instant,
    members: u64,
}

impl Clients {
    /// Opens the subscribers and the publisher.
    pub async fn open(args: &Args, stats: &Arc<Stats>) -> Result<Self, Failure> {
        let started = Instant::now();
        let opened = futures_util::stream::iter(0..args.connections)
            .map(|index| connect(args, index, stats.clone(), started))
            .buffer_unordered(PARALLEL_HANDSHAKES)
            .collect::<Vec<_>>()
            .await;
        let senders = opened.into_iter().collect::<Result<Vec<_>, _>>()?;
        let answers = Arc::new(Stats::default());
        let publisher = connect(args, args.connections, answers.clone(), started).await?;
        let stats = stats.clone();
        Ok(Self { senders, publisher, stats, answers, started, members: 0 })
    }

    /// Every connection, the publisher included, joins `room`; returns how many subscribers
    /// the node acknowledged.
    pub async fn join_all(&mut self, room: &str) -> Result<u64, Failure> {
        let join = Message::text(json!({"type": "join", "room": room}).to_string());
        for sender in self.senders.iter().chain(std::iter::once(&self.publisher)) {
            sender.lock().await.send(join.clone()).await?;
        }
        let wanted = u64::try_from(self.senders.len())?;
        let deadline = Instant::now() + STALL;
        while self.stats.acks.load(Ordering::Relaxed) < wanted && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.members = self.stats.acks.load(Ordering::Relaxed);
        Ok(self.members)
    }

    /// Publishes `rate` messages per second for `duration` as step `step`, then waits until
    /// every expected delivery arrived or none arrived for [`STALL`].
    pub async fn publish_for(
        &self,
        step: u64,
        rate: u32,
        duration: Duration,
    ) -> Result<Step, Failure> {
        self.stats.open(step);
        let before = self.answered();
        let first_send = self.now();
        let (sent, sending) = self.send_paced(step, rate, duration).await?;
        let published = Published {
            target_rate: rate,
            sent,
            sending,
            acked: 0,
            refused: 0,
            members: self.members,
            first_send,
        };
        let result = self.stats.step(self.settle(published, before).await);
        self.stats.close();
        Ok(result)
    }

    /// The publisher's acks and errors so far.
    fn answered(&self) -> (u64, u64) {
        (self.answers.acks.load(Ordering::Relaxed), self.answers.errors.load(Ordering::Relaxed))
    }

    /// Waits until every publication is answered and every expected delivery arrived, or
    /// until nothing arrived for [`STALL`]; fills in the answers.
    async fn settle(&self, mut published: Published, before: (u64, u64)) -> Published {
        let mut progress = (self.stats.delivered(), Instant::now());
        loop {
            let (acks, errors) = self.answered();
            (published.acked, published.refused) = (acks - before.0, errors - before.1);
            let delivered = self.stats.delivered();
            let answered = published.acked + published.refused >= published.sent;
            if answered && delivered >= published.acked * published.members {
                return published;
            }
            if delivered != progress.0 {
                progress = (delivered, Instant::now());
            } else if progress.1.elapsed() > STALL {
                return published;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends one message per tick; returns how many were sent and how long that took.
    async fn send_paced(
        &self,
        step: u64,
        rate: u32,
        duration: Duration,
    ) -> Result<(u64, Duration), Failure> {
        let start = Instant::now();
        let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
        let mut sent = 0;
        while start.elapsed() < duration {
            ticks.tick().await;
            let frame =
                json!({"type": "publish", "room": "bench", "body": {"s": step, "t": self.now()}});
            self.publisher.lock().await.send(Message::text(frame.to_string())).await?;
            sent += 1;
        }
        Ok((sent, start.elapsed()))
    }

    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

async fn connect(
    args: &Args,
    index: usize,
    stats: Arc<Stats>,
    started: Instant,
) -> Result<Arc<Mutex<Sink>>, Failure> {
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

/// Times every message and counts answers; counts the connection as lost when it ends.
async fn read(mut stream: Source, stats: Arc<Stats>, started: Instant) {
    while let Some(Ok(frame)) = stream.next().await {
        let Message::Text(text) = frame else { continue };
        if text.starts_with(r#"{"type":"ack""#) {
            stats.acks.fetch_add(1, Ordering::Relaxed);
        } else if text.starts_with(r#"{"type":"error""#) {
            stats.errors.fetch_add(1, Ordering::Relaxed);
        } else if let Some((step, sent)) = stamp(&text) {
            let now = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            stats.record(step, now, Duration::from_nanos(now.saturating_sub(sent)));
        }
    }
    stats.disconnected.fetch_add(1, Ordering::Relaxed);
}

/// The step and publication time in a `message` frame's body, `{"s": <step>, "t": <ns>}`.
fn stamp(text: &str) -> Option<(u64, u64)> {
    let number = |key: &str| {
        let start = text.find(key)? + key.len();
        text[start..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    };
    Some((number(r#""body":{"s":"#)?, number(r#","t":"#)?))
}

fn token(args: &Args, user: &str) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({"sub": user, "iss": args.issuer, "aud": args.audience, "iat": now, "exp": now + 3600});
    let key = jsonwebtoken::EncodingKey::from_secret(args.secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
}
