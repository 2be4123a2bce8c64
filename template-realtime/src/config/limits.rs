//! Limits that keep one client, or many, from hurting the others: message size and rate,
//! rooms per connection, connections per node, the outbound queue, heartbeats, history,
//! presence expiry and timeouts. Every limit has a safe default.

use std::time::Duration;

use super::{ConfigError, RawConfig};
use crate::broker::HistoryConfig;
use crate::rate::RateLimit;
use crate::settings::{millis, positive, secs};

/// How the server checks that peers are alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatConfig {
    /// How often the server pings (`HEARTBEAT_INTERVAL_MS`, default 15000).
    pub interval: Duration,
    /// How long a silent peer is kept (`HEARTBEAT_TIMEOUT_MS`, default 45000).
    pub timeout: Duration,
}

/// Every limit of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest client frame, in bytes (`MAX_MESSAGE_BYTES`, default 4096). Larger frames get a
    /// `too_large` error; frames over twice this size close the connection with 1009.
    pub max_message_bytes: usize,
    /// Client frames per connection (`MESSAGE_RATE_PER_SECOND` 20, `MESSAGE_RATE_BURST` 40).
    pub message_rate: RateLimit,
    /// Rooms one connection may be in (`MAX_ROOMS_PER_CONNECTION`, default 32).
    pub max_rooms_per_connection: usize,
    /// WebSocket and SSE connections per node; past it, 503 (`MAX_CONNECTIONS`, default 10000).
    pub max_connections: usize,
    /// Rooms with members on a node; joining another one is refused (`MAX_ROOMS`, 10000).
    pub max_rooms: usize,
    /// Messages waiting for one client before it is cut off with 1013 (`OUTBOUND_QUEUE`, 256).
    pub outbound_queue: usize,
    /// Pings and the silence after which a peer is dropped.
    pub heartbeat: HeartbeatConfig,
    /// The replayable history of each room.
    pub history: HistoryConfig,
    /// How long a node's presence entries outlive it (`PRESENCE_TTL_MS`, default 30000).
    pub presence_ttl: Duration,
    /// Rooms with more members than this on a node get no presence events there
    /// (`PRESENCE_EVENT_LIMIT`, default 100); `GET /rooms/{room}/presence` still answers.
    pub presence_event_limit: usize,
    /// Longest shutdown after SIGTERM (`SHUTDOWN_TIMEOUT_SECS`, default 10).
    pub shutdown_timeout: Duration,
    /// Longest a client may take to send its request head (`HEADER_READ_TIMEOUT_SECS`, 10).
    pub header_read_timeout: Duration,
    /// Interval of SSE keep-alive comments (`SSE_KEEP_ALIVE_SECS`, default 15).
    pub sse_keep_alive: Duration,
}

impl Limits {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            max_message_bytes: positive(
                "MAX_MESSAGE_BYTES",
                raw.max_message_bytes.unwrap_or(4096),
            )?,
            message_rate: message_rate(raw)?,
            max_rooms_per_connection: positive(
                "MAX_ROOMS_PER_CONNECTION",
                raw.max_rooms_per_connection.unwrap_or(32),
            )?,
            max_connections: positive("MAX_CONNECTIONS", raw.max_connections.unwrap_or(10_000))?,
            max_rooms: positive("MAX_ROOMS", raw.max_rooms.unwrap_or(10_000))?,
            outbound_queue: positive("OUTBOUND_QUEUE", raw.outbound_queue.unwrap_or(256))?,
            heartbeat: heartbeat(raw)?,
            history: history(raw)?,
            presence_ttl: millis("PRESENCE_TTL_MS", raw.presence_ttl_ms, 30_000)?,
            presence_event_limit: raw.presence_event_limit.unwrap_or(100),
            shutdown_timeout: secs("SHUTDOWN_TIMEOUT_SECS", raw.shutdown_timeout_secs, 10)?,
            header_read_timeout: secs(
                "HEADER_READ_TIMEOUT_SECS",
                raw.header_read_timeout_secs,
                10,
            )?,
            sse_keep_alive: secs("SSE_KEEP_ALIVE_SECS", raw.sse_keep_alive_secs, 15)?,
        })
    }
}

fn message_rate(raw: &RawConfig) -> Result<RateLimit, ConfigError> {
    Ok(RateLimit {
        per_second: positive("MESSAGE_RATE_PER_SECOND", raw.message_rate_per_second.unwrap_or(20))?,
        burst: positive("MESSAGE_RATE_BURST", raw.message_rate_burst.unwrap_or(40))?,
    })
}

/// The default `HISTORY_MAX_BYTES`: 32 MiB.
const HISTORY_MAX_BYTES: usize = 32 * 1024 * 1024;

fn history(raw: &RawConfig) -> Result<HistoryConfig, ConfigError> {
    Ok(HistoryConfig {
        length: positive("HISTORY_LENGTH", raw.history_length.unwrap_or(1000))?,
        max_age: secs("HISTORY_MAX_AGE_SECS", raw.history_max_age_secs, 86_400)?,
        max_bytes: positive(
            "HISTORY_MAX_BYTES",
            raw.history_max_bytes.unwrap_or(HISTORY_MAX_BYTES),
        )?,
        max_rooms: positive("HISTORY_MAX_ROOMS", raw.history_max_rooms.unwrap_or(10_000))?,
    })
}

fn heartbeat(raw: &RawConfig) -> Result<HeartbeatConfig, ConfigError> {
    let interval = millis("HEARTBEAT_INTERVAL_MS", raw.heartbeat_interval_ms, 15_000)?;
    let timeout = millis("HEARTBEAT_TIMEOUT_MS", raw.heartbeat_timeout_ms, 45_000)?;
    if timeout <= interval {
        return Err(ConfigError::new(
            "HEARTBEAT_TIMEOUT_MS",
            "must be longer than HEARTBEAT_INTERVAL_MS",
        ));
    }
    Ok(HeartbeatConfig { interval, timeout })
}
