//! The variables as read, before defaults and validation, and the checks they share.
//!
//! Each field is named after its variable in lower case; the config crate fills it from the
//! environment, and `Config` validates it with a message that names the variable.

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Environment};
use crate::ratelimit::RateLimit;
use crate::telemetry::LogFormat;

/// Every variable the service reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawConfig {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) database_url: Option<String>,
    pub(crate) database_acquire_timeout_ms: Option<u64>,
    pub(crate) database_statement_timeout_ms: Option<u64>,
    pub(crate) database_max_connections: Option<u32>,
    pub(crate) jwt_secret: Option<String>,
    pub(crate) jwt_private_key: Option<String>,
    pub(crate) jwt_private_key_file: Option<String>,
    pub(crate) jwt_accepted_public_keys: Option<String>,
    pub(crate) jwt_issuer: Option<String>,
    pub(crate) jwt_audience: Option<String>,
    pub(crate) jwt_extra_audiences: Option<String>,
    pub(crate) access_token_ttl_secs: Option<u64>,
    pub(crate) refresh_token_ttl_secs: Option<u64>,
    pub(crate) refresh_token_purge_interval_secs: Option<u64>,
    pub(crate) refresh_token_retention_secs: Option<u64>,
    pub(crate) admin_email: Option<String>,
    pub(crate) admin_password: Option<String>,
    pub(crate) app_env: Option<Environment>,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) password_hash_concurrency: Option<usize>,
    pub(crate) request_timeout_secs: Option<u64>,
    pub(crate) header_read_timeout_secs: Option<u64>,
    pub(crate) write_timeout_secs: Option<u64>,
    pub(crate) shutdown_timeout_secs: Option<u64>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) concurrency_limit: Option<usize>,
    pub(crate) body_limit_bytes: Option<usize>,
    pub(crate) upload_limit_bytes: Option<usize>,
    pub(crate) upload_dir: Option<String>,
    pub(crate) rate_limit_per_second: Option<u32>,
    pub(crate) rate_limit_burst: Option<u32>,
    pub(crate) login_rate_limit_per_minute: Option<u32>,
    pub(crate) login_rate_limit_burst: Option<u32>,
    pub(crate) login_failures_before_delay: Option<u32>,
    pub(crate) login_max_delay_secs: Option<u64>,
    pub(crate) trusted_proxy_hops: Option<usize>,
    pub(crate) trusted_proxies: Option<String>,
    pub(crate) metrics_port: Option<u16>,
    pub(crate) password_hash_queue: Option<usize>,
    pub(crate) login_ip_failures_before_delay: Option<u32>,
    pub(crate) login_account_failing_addresses: Option<u32>,
    pub(crate) login_throttle_max_entries: Option<usize>,
    pub(crate) register_rate_limit_per_hour: Option<u32>,
    pub(crate) register_rate_limit_burst: Option<u32>,
    pub(crate) cors_allowed_origins: Option<String>,
    pub(crate) hsts_max_age_secs: Option<u64>,
    pub(crate) rate_limit_store: Option<StoreKind>,
    #[cfg(feature = "redis")]
    pub(crate) redis_url: Option<String>,
    #[cfg(feature = "redis")]
    pub(crate) rate_limit_redis_prefix: Option<String>,
    #[cfg(feature = "redis")]
    pub(crate) rate_limit_redis_timeout_ms: Option<u64>,
    #[cfg(feature = "redis")]
    pub(crate) rate_limit_redis_failure: Option<FailureKind>,
}

/// `RATE_LIMIT_STORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StoreKind {
    /// Each process counts alone: with N replicas a client gets N budgets.
    Memory,
    /// One count in Redis for every replica.
    Redis,
}

/// `RATE_LIMIT_REDIS_FAILURE`, as written; `limit_store.rs` turns it into the `ratelimit`
/// module's `StoreFailure`. Read only with the `redis` cargo feature.
#[cfg(feature = "redis")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FailureKind {
    /// `open`: decide without Redis.
    Open,
    /// `closed`: refuse without Redis.
    Closed,
}

/// A mebibyte, for the byte limits.
pub(crate) const MIB: usize = 1024 * 1024;

/// A positive number of milliseconds.
pub(crate) fn positive_millis(variable: &str, millis: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(positive(variable, millis)?))
}

/// A positive number of seconds.
pub(crate) fn positive_secs(variable: &str, secs: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(positive(variable, secs)?))
}

/// A number that must be at least 1.
pub(crate) fn positive<T: Default + PartialEq>(variable: &str, value: T) -> Result<T, ConfigError> {
    if value == T::default() {
        return Err(ConfigError::new(variable, "must be greater than 0"));
    }
    Ok(value)
}

/// A positive number of seconds, `default` when unset.
pub(crate) fn secs(
    variable: &str,
    value: Option<u64>,
    default: u64,
) -> Result<Duration, ConfigError> {
    positive_secs(variable, value.unwrap_or(default))
}

/// A rate of `per_unit` per `unit_secs` seconds, with a burst.
pub(crate) fn rate(
    per_unit: (&str, u32),
    burst: (&str, u32),
    unit_secs: f64,
) -> Result<RateLimit, ConfigError> {
    let count = positive(per_unit.0, per_unit.1)?;
    Ok(RateLimit { per_second: f64::from(count) / unit_secs, burst: positive(burst.0, burst.1)? })
}
