//! What a WebSocket session needs to know: the size and rate of client frames, the rooms one
//! connection may be in, and the heartbeat.

use std::time::Duration;

use crate::rate::RateLimit;

/// How the server checks that peers are alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeartbeatConfig {
    /// How often the server pings (`HEARTBEAT_INTERVAL_MS`, default 15000).
    pub(crate) interval: Duration,
    /// How long a silent peer is kept (`HEARTBEAT_TIMEOUT_MS`, default 45000).
    pub(crate) timeout: Duration,
}

/// The limits of one WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionSettings {
    /// Largest client frame, in bytes (`MAX_MESSAGE_BYTES`, default 4096). Larger frames get a
    /// `too_large` error; frames over twice this size close the connection with 1009.
    pub(crate) max_message_bytes: usize,
    /// Client frames per connection (`MESSAGE_RATE_PER_SECOND` 20, `MESSAGE_RATE_BURST` 40).
    pub(crate) message_rate: RateLimit,
    /// Rooms one connection may be in (`MAX_ROOMS_PER_CONNECTION`, default 32).
    pub(crate) max_rooms_per_connection: usize,
    /// Pings and the silence after which a peer is dropped.
    pub(crate) heartbeat: HeartbeatConfig,
}
