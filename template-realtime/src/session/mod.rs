//! One WebSocket connection, from upgrade to close.
//!
//! A single task serves the connection: it reads client frames, answers them directly (so a
//! `pong` or an `ack` never waits behind data), drains the connection's [`Outbox`] in batches,
//! pings the peer and drops it when it stays silent, and closes with the right code:
//! 1001 on shutdown, 1008 for a client that keeps flooding, 1009 for an oversized frame,
//! 1011 when the broker fails, 1013 for a client too slow to keep up, 4001 when its token
//! expires (unless the client sent a fresh one in a `reauth` frame).

mod requests;
mod settings;

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt as _;
use tokio::time::{Instant, MissedTickBehavior, Sleep};

pub(crate) use settings::{HeartbeatConfig, SessionSettings};

use crate::auth::{Identity, TokenVerifier};
use crate::connections::ConnectionPermit;
use crate::protocol;
use crate::rate::TokenBucket;
use crate::rooms::{Outbox, RoomEvent, RoomName, Rooms};
use crate::shutdown::{Shutdown, Watched};
use crate::users::UserConnection;

/// Everything a session needs besides its socket.
#[derive(Debug)]
pub(crate) struct SessionContext {
    pub(crate) rooms: Arc<Rooms>,
    /// Checks the tokens of `reauth` frames.
    pub(crate) verifier: Arc<TokenVerifier>,
    /// Frame, room and heartbeat limits.
    pub(crate) limits: SessionSettings,
    /// Tells the session to close with 1001.
    pub(crate) shutdown: Shutdown,
    /// The authenticated user, and when its token expires.
    pub(crate) identity: Identity,
    /// The connection's slot on the node and the user's, freed when the session ends.
    pub(crate) _permits: (ConnectionPermit, UserConnection),
}

/// Serves one upgraded connection until it closes.
///
/// The session is built before the future and boxed: an async function keeps its arguments
/// for its whole life, and a `mut` binding of one is a second copy, so the socket and the
/// context would otherwise be held two or three times in every connection's task.
pub(crate) fn run(socket: WebSocket, context: SessionContext) -> impl Future<Output = ()> + Send {
    Box::new(Session::new(socket, context)).run()
}

/// How long the server waits for the peer's close frame after sending its own.
const CLOSING_HANDSHAKE: Duration = Duration::from_secs(2);

/// Why a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Send a close frame with this code and reason.
    Close(u16, &'static str),
    /// The peer closed, vanished or went silent: no close frame.
    Drop,
}

impl End {
    const GOING_AWAY: Self = Self::Close(1001, "server shutting down");
    const SLOW: Self = Self::Close(1013, "too slow: reconnect with since");
    const BROKER: Self = Self::Close(1011, "broker unavailable: reconnect with since");
    const EXPIRED: Self = Self::Close(4001, "token expired: reconnect with a fresh token");
}

/// What woke the session.
enum Event {
    Outbox,
    Frame(Option<Result<Message, axum::Error>>),
    Heartbeat,
    Expired,
}

/// The state of one connection.
struct Session {
    socket: WebSocket,
    context: SessionContext,
    member_id: u64,
    outbox: Arc<Outbox>,
    /// Joined rooms, with the last message id sent in each.
    joined: Vec<(RoomName, u64)>,
    bucket: TokenBucket,
    refused_in_a_row: u32,
    last_seen: Instant,
    batch: Vec<Arc<RoomEvent>>,
    /// Fires when the token expires; a `reauth` moves it.
    expiry: Pin<Box<Sleep>>,
    _watched: Watched,
}

impl Session {
    fn new(socket: WebSocket, context: SessionContext) -> Self {
        let (member_id, outbox) = context.rooms.connection();
        Self {
            socket,
            member_id,
            _watched: context.shutdown.watch(member_id, &outbox),
            outbox,
            joined: Vec::new(),
            bucket: TokenBucket::new(context.limits.message_rate),
            refused_in_a_row: 0,
            last_seen: Instant::now(),
            batch: Vec::new(),
            expiry: Box::pin(tokio::time::sleep(context.identity.lifetime())),
            context,
        }
    }

    async fn run(mut self: Box<Self>) {
        let end = self.serve().await;
        // Boxed, like the answer to a client frame: an idle connection's task holds only the
        // state of its wait, not that of the rarer paths.
        Box::pin(self.finish(end)).await;
    }

    async fn serve(&mut self) -> End {
        let period = self.context.limits.heartbeat.interval;
        let mut heartbeat = tokio::time::interval_at(Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let event = tokio::select! {
                biased;
                () = self.outbox.ready() => Event::Outbox,
                frame = self.socket.recv() => Event::Frame(frame),
                _ = heartbeat.tick() => Event::Heartbeat,
                () = &mut self.expiry => Event::Expired,
            };
            if let Err(end) = self.on_event(event).await {
                return end;
            }
        }
    }

    async fn on_event(&mut self, event: Event) -> Result<(), End> {
        match event {
            Event::Outbox => self.flush().await,
            Event::Frame(frame) => Box::pin(self.on_frame(frame)).await,
            Event::Heartbeat => self.on_heartbeat().await,
            Event::Expired => {
                metrics::counter!("realtime_token_expiry_disconnects_total").increment(1);
                Err(End::EXPIRED)
            }
        }
    }

    async fn on_heartbeat(&mut self) -> Result<(), End> {
        if self.last_seen.elapsed() >= self.context.limits.heartbeat.timeout {
            metrics::counter!("realtime_heartbeat_timeouts_total").increment(1);
            return Err(End::Drop);
        }
        self.send(Message::Ping(axum::body::Bytes::new())).await
    }

    /// Writes everything queued for the client, batch after batch, until the queue is empty.
    async fn flush(&mut self) -> Result<(), End> {
        loop {
            if self.outbox.is_closed() {
                return Err(End::GOING_AWAY);
            }
            if self.outbox.is_overflowed() {
                metrics::counter!("realtime_slow_consumer_disconnects_total").increment(1);
                return Err(End::SLOW);
            }
            self.outbox.drain_into(&mut self.batch);
            if self.batch.is_empty() {
                return Ok(());
            }
            let outbox = self.outbox.clone();
            tokio::select! {
                result = self.write_batch() => result?,
                () = overflow(&outbox) => {}
            }
        }
    }

    async fn write_batch(&mut self) -> Result<(), End> {
        let mut batch = std::mem::take(&mut self.batch);
        let mut written = 0;
        for event in batch.drain(..) {
            if self.accepts(&event) {
                self.feed(Message::Text(event.rendered(protocol::frame_text))).await?;
                written += 1;
            }
        }
        self.batch = batch;
        self.send_flush().await?;
        crate::telemetry::messages_out().increment(written);
        Ok(())
    }

    /// Whether the frame is for a joined room and newer than what the client has.
    fn accepts(&mut self, event: &RoomEvent) -> bool {
        let Some((_, last)) = self.joined.iter_mut().find(|(room, _)| *room == event.room) else {
            return false;
        };
        match event.id {
            None => true,
            Some(id) if id > *last => {
                *last = id;
                true
            }
            Some(_) => false,
        }
    }

    async fn feed(&mut self, message: Message) -> Result<(), End> {
        let timeout = self.context.limits.heartbeat.timeout;
        match tokio::time::timeout(timeout, self.socket.feed(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Drop),
        }
    }

    async fn send_flush(&mut self) -> Result<(), End> {
        let timeout = self.context.limits.heartbeat.timeout;
        match tokio::time::timeout(timeout, self.socket.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Drop),
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), End> {
        self.feed(message).await?;
        self.send_flush().await
    }

    /// Closes the connection and leaves every room.
    async fn finish(mut self, end: End) {
        if let End::Close(code, reason) = end {
            self.close(code, reason).await;
        }
        drop(self.socket);
        for (room, _) in std::mem::take(&mut self.joined) {
            if let Err(error) = self.context.rooms.leave(&room, self.member_id).await {
                crate::telemetry::broker_error("leave", &error);
            }
        }
    }

    /// The closing handshake (RFC 6455 §7.1.1): sends the close frame, then reads and discards
    /// what the peer still sends until its own close frame arrives, for at most
    /// [`CLOSING_HANDSHAKE`]. Dropping the socket with unread input would make the kernel
    /// answer with a reset, and the peer would lose the close frame and whatever it had not
    /// read yet.
    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame { code, reason: reason.into() };
        // A peer that cannot take a close frame within the heartbeat timeout is gone.
        let timeout = self.context.limits.heartbeat.timeout;
        let close = self.socket.send(Message::Close(Some(frame)));
        if tokio::time::timeout(timeout, close).await.is_err() {
            tracing::debug!(code, "the close frame could not be delivered");
            return;
        }
        let peer_closed = async {
            while let Some(Ok(message)) = self.socket.recv().await {
                if let Message::Close(_) = message {
                    return;
                }
            }
        };
        if tokio::time::timeout(CLOSING_HANDSHAKE, peer_closed).await.is_err() {
            tracing::debug!(code, "the peer did not answer the close frame");
        }
    }
}

/// Resolves once the outbox overflows, even while a write is stuck on a slow client.
async fn overflow(outbox: &Outbox) {
    loop {
        outbox.ready().await;
        if outbox.is_overflowed() {
            return;
        }
    }
}
