//! Reads the limits that keep one client, or many, from hurting the others into the settings
//! of the component each belongs to: the rooms' ([`RoomsSettings`]: rooms per node, outbound
//! queue, history, presence), a WebSocket session's ([`SessionSettings`]: frame size and rate,
//! rooms per connection, heartbeats), the HTTP side's ([`HttpSettings`]: body size, SSE
//! keep-alive, timeouts), and the connections per node. Every limit has a safe default.

use super::{ConfigError, RawConfig};
use crate::http::HttpSettings;
use crate::http::serve::ServeSettings;
use crate::rate::RateLimit;
use crate::rooms::{HistoryConfig, HubLimits, RoomsSettings};
use crate::session::{HeartbeatConfig, SessionSettings};
use crate::settings::{millis, positive, secs};

/// The default `MAX_MESSAGE_BYTES`.
const MAX_MESSAGE_BYTES: usize = 4096;

/// `MAX_ROOMS`, `PRESENCE_EVENT_LIMIT`, `OUTBOUND_QUEUE`, `HISTORY_*`, `PRESENCE_TTL_MS`, and
/// `BROKER_PREFIX` (already checked).
pub(super) fn rooms(raw: &RawConfig, prefix: String) -> Result<RoomsSettings, ConfigError> {
    Ok(RoomsSettings {
        hub: HubLimits {
            presence_event_limit: raw.presence_event_limit.unwrap_or(100),
            max_rooms: positive("MAX_ROOMS", raw.max_rooms.unwrap_or(10_000))?,
        },
        history: history(raw)?,
        presence_ttl: millis("PRESENCE_TTL_MS", raw.presence_ttl_ms, 30_000)?,
        outbound_queue: positive("OUTBOUND_QUEUE", raw.outbound_queue.unwrap_or(256))?,
        prefix,
    })
}

/// `MAX_MESSAGE_BYTES`, `MESSAGE_RATE_*`, `MAX_ROOMS_PER_CONNECTION`, `HEARTBEAT_*`.
pub(super) fn session(raw: &RawConfig) -> Result<SessionSettings, ConfigError> {
    Ok(SessionSettings {
        max_message_bytes: max_message_bytes(raw)?,
        message_rate: message_rate(raw)?,
        max_rooms_per_connection: positive(
            "MAX_ROOMS_PER_CONNECTION",
            raw.max_rooms_per_connection.unwrap_or(32),
        )?,
        heartbeat: heartbeat(raw)?,
    })
}

/// `MAX_MESSAGE_BYTES`, `SSE_KEEP_ALIVE_SECS`, `HEADER_READ_TIMEOUT_SECS`,
/// `SHUTDOWN_TIMEOUT_SECS`.
pub(super) fn http(raw: &RawConfig) -> Result<HttpSettings, ConfigError> {
    Ok(HttpSettings {
        max_body_bytes: max_message_bytes(raw)?,
        sse_keep_alive: secs("SSE_KEEP_ALIVE_SECS", raw.sse_keep_alive_secs, 15)?,
        serve: ServeSettings {
            header_read_timeout: secs(
                "HEADER_READ_TIMEOUT_SECS",
                raw.header_read_timeout_secs,
                10,
            )?,
            shutdown_timeout: secs("SHUTDOWN_TIMEOUT_SECS", raw.shutdown_timeout_secs, 10)?,
        },
    })
}

/// WebSocket and SSE connections per node (`MAX_CONNECTIONS`, default 10000); past it, 503.
pub(super) fn max_connections(raw: &RawConfig) -> Result<usize, ConfigError> {
    positive("MAX_CONNECTIONS", raw.max_connections.unwrap_or(10_000))
}

fn max_message_bytes(raw: &RawConfig) -> Result<usize, ConfigError> {
    positive("MAX_MESSAGE_BYTES", raw.max_message_bytes.unwrap_or(MAX_MESSAGE_BYTES))
}

fn message_rate(raw: &RawConfig) -> Result<RateLimit, ConfigError> {
    Ok(RateLimit {
        per_second: positive("MESSAGE_RATE_PER_SECOND", raw.message_rate_per_second.unwrap_or(20))?,
        burst: positive("MESSAGE_RATE_BURST", raw.message_rate_burst.unwrap_or(40))?,
    })
}

/// The history's variables; their defaults are [`HistoryConfig::default`].
fn history(raw: &RawConfig) -> Result<HistoryConfig, ConfigError> {
    let default = HistoryConfig::default();
    Ok(HistoryConfig {
        length: positive("HISTORY_LENGTH", raw.history_length.unwrap_or(default.length))?,
        max_age: secs("HISTORY_MAX_AGE_SECS", raw.history_max_age_secs, default.max_age.as_secs())?,
        max_bytes: positive(
            "HISTORY_MAX_BYTES",
            raw.history_max_bytes.unwrap_or(default.max_bytes),
        )?,
        max_rooms: positive(
            "HISTORY_MAX_ROOMS",
            raw.history_max_rooms.unwrap_or(default.max_rooms),
        )?,
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
