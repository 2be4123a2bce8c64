//! The shared variables as read, before defaults and validation, and the check of
//! `BROKER_PREFIX` (the checks every component uses are in `crate::settings`).
//!
//! Each field is named after its variable in lower case; the config crate fills it from the
//! environment, and `Config` validates it with a message that names the variable.

use serde::Deserialize;

use super::{ConfigError, Environment};
use crate::telemetry::LogFormat;

/// Every shared variable the service reads. The broker's own variables are read by
/// `crate::broker::RawBrokerConfig`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawConfig {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) jwt_secret: Option<String>,
    pub(crate) jwt_algorithm: Option<String>,
    pub(crate) jwt_public_key: Option<String>,
    pub(crate) jwt_public_key_file: Option<String>,
    pub(crate) jwt_jwks_url: Option<String>,
    pub(crate) jwt_jwks_refresh_secs: Option<u64>,
    pub(crate) jwt_jwks_max_age_secs: Option<u64>,
    pub(crate) jwt_issuer: Option<String>,
    pub(crate) jwt_audience: Option<String>,
    pub(crate) app_env: Option<Environment>,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) broker_prefix: Option<String>,
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) message_rate_per_second: Option<u32>,
    pub(crate) message_rate_burst: Option<u32>,
    pub(crate) max_rooms_per_connection: Option<usize>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) max_rooms: Option<usize>,
    pub(crate) outbound_queue: Option<usize>,
    pub(crate) heartbeat_interval_ms: Option<u64>,
    pub(crate) heartbeat_timeout_ms: Option<u64>,
    pub(crate) history_length: Option<usize>,
    pub(crate) history_max_age_secs: Option<u64>,
    pub(crate) history_max_bytes: Option<usize>,
    pub(crate) history_max_rooms: Option<usize>,
    pub(crate) presence_ttl_ms: Option<u64>,
    pub(crate) presence_event_limit: Option<usize>,
    pub(crate) shutdown_timeout_secs: Option<u64>,
    pub(crate) header_read_timeout_secs: Option<u64>,
    pub(crate) sse_keep_alive_secs: Option<u64>,
}

/// The namespace of every key, channel, subject and stream in the broker (`BROKER_PREFIX`,
/// default the package name): letters, digits, `_` and `-`, 1 to 32 of them.
pub(crate) fn prefix(value: Option<&str>) -> Result<String, ConfigError> {
    let value = value.unwrap_or(env!("CARGO_PKG_NAME"));
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if value.is_empty() || value.len() > 32 || !value.chars().all(allowed) {
        return Err(ConfigError::new(
            "BROKER_PREFIX",
            "must be 1 to 32 letters, digits, `_` or `-`",
        ));
    }
    Ok(value.to_owned())
}
