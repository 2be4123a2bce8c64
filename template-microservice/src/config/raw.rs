//! The variables as read, before defaults and validation, and the checks they share.
//!
//! Each field is named after its variable in lower case; the config crate fills it from the
//! environment, and `Config` validates it with a message that names the variable.

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, LogFormat};

/// Every variable the service reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawConfig {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) database_url: Option<String>,
    pub(crate) database_max_connections: Option<u32>,
    pub(crate) database_acquire_timeout_ms: Option<u64>,
    pub(crate) nats_url: Option<String>,
    pub(crate) outbox_batch_size: Option<u32>,
    pub(crate) outbox_poll_interval_ms: Option<u64>,
    pub(crate) outbox_retention_secs: Option<u64>,
    pub(crate) consumer_name: Option<String>,
    pub(crate) consumer_max_deliver: Option<u32>,
    pub(crate) consumer_ack_wait_ms: Option<u64>,
    pub(crate) consumer_backoff_initial_ms: Option<u64>,
    pub(crate) consumer_backoff_max_ms: Option<u64>,
    pub(crate) consumer_batch_size: Option<u32>,
    pub(crate) consumer_concurrency: Option<usize>,
    pub(crate) rpc_timeout_ms: Option<u64>,
    pub(crate) inventory_url: Option<String>,
    pub(crate) inventory_timeout_ms: Option<u64>,
    pub(crate) inventory_attempt_timeout_ms: Option<u64>,
    pub(crate) inventory_retry_max_attempts: Option<u32>,
    pub(crate) inventory_retry_backoff_min_ms: Option<u64>,
    pub(crate) inventory_retry_backoff_max_ms: Option<u64>,
    pub(crate) inventory_retry_jitter: Option<f64>,
    pub(crate) inventory_retry_budget_percent: Option<f32>,
    pub(crate) inventory_retry_budget_min_per_sec: Option<u32>,
    pub(crate) inventory_breaker_window: Option<u32>,
    pub(crate) inventory_breaker_minimum_calls: Option<u32>,
    pub(crate) inventory_breaker_failure_rate: Option<f64>,
    pub(crate) inventory_breaker_open_wait_ms: Option<u64>,
    pub(crate) inventory_breaker_half_open_trials: Option<u32>,
    pub(crate) jwt_secret: Option<String>,
    pub(crate) jwt_algorithm: Option<String>,
    pub(crate) jwt_public_key: Option<String>,
    pub(crate) jwt_public_key_file: Option<String>,
    pub(crate) jwt_jwks_url: Option<String>,
    pub(crate) jwt_jwks_refresh_secs: Option<u64>,
    pub(crate) jwt_jwks_max_age_secs: Option<u64>,
    pub(crate) jwt_issuer: Option<String>,
    pub(crate) jwt_audience: Option<String>,
    pub(crate) request_timeout_secs: Option<u64>,
    pub(crate) header_read_timeout_secs: Option<u64>,
    pub(crate) shutdown_timeout_secs: Option<u64>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) body_limit_bytes: Option<usize>,
    pub(crate) metrics_cache_secs: Option<u64>,
    pub(crate) pending_order_ttl_secs: Option<u64>,
    pub(crate) release_poll_interval_ms: Option<u64>,
    pub(crate) order_rate_limit_per_minute: Option<u32>,
    pub(crate) order_rate_limit_burst: Option<u32>,
}

/// `value` (or `default`) milliseconds, which must be positive.
pub(crate) fn millis(
    variable: &str,
    value: Option<u64>,
    default: u64,
) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(positive(variable, value.unwrap_or(default))?))
}

/// `value` milliseconds, which must be positive, or the component's `default`.
pub(crate) fn millis_or(
    variable: &str,
    value: Option<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    value.map_or(Ok(default), |value| Ok(Duration::from_millis(positive(variable, value)?)))
}

/// `value` seconds, which must be positive, or the component's `default`.
pub(crate) fn secs_or(
    variable: &str,
    value: Option<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    value.map_or(Ok(default), |value| Ok(Duration::from_secs(positive(variable, value)?)))
}

/// `value` (or `default`) seconds, which must be positive.
pub(crate) fn secs(
    variable: &str,
    value: Option<u64>,
    default: u64,
) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(positive(variable, value.unwrap_or(default))?))
}

/// A number that must be at least 1.
pub(crate) fn positive<T: Default + PartialEq>(variable: &str, value: T) -> Result<T, ConfigError> {
    if value == T::default() {
        return Err(ConfigError::new(variable, "must be greater than 0"));
    }
    Ok(value)
}

/// A fraction in (0, 1].
pub(crate) fn fraction(variable: &str, value: f64) -> Result<f64, ConfigError> {
    if value > 0.0 && value <= 1.0 {
        return Ok(value);
    }
    Err(ConfigError::new(variable, "must be greater than 0 and at most 1"))
}

/// An absolute `http://` URL, without a trailing slash. (The client speaks plain HTTP: put TLS
/// in a sidecar, or add a TLS connector to `resilient_client::client`.)
pub(crate) fn http_url(variable: &str, value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim().trim_end_matches('/');
    let valid = trimmed
        .parse::<http::Uri>()
        .ok()
        .is_some_and(|uri| uri.scheme_str() == Some("http") && uri.host().is_some());
    if !valid {
        return Err(ConfigError::new(variable, format!("`{value}` is not an http:// URL")));
    }
    Ok(trimmed.to_owned())
}
