//! The HTTP server's limits and timeouts, and the database pool: the variables, read into
//! [`ServerConfig`] (the HTTP layer's) and [`DatabaseConfig`] (the pool's).

use super::raw::{millis, positive, secs};
use super::{ConfigError, RawConfig};
use crate::http::ServerConfig;
use crate::repositories::pool::DatabaseConfig;
use crate::services::rate_limit::RateLimit;

impl ServerConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            request_timeout: secs("REQUEST_TIMEOUT_SECS", raw.request_timeout_secs, 10)?,
            header_read_timeout: secs("HEADER_READ_TIMEOUT_SECS", raw.header_read_timeout_secs, 5)?,
            shutdown_timeout: secs("SHUTDOWN_TIMEOUT_SECS", raw.shutdown_timeout_secs, 20)?,
            max_connections: positive("MAX_CONNECTIONS", raw.max_connections.unwrap_or(1024))?,
            body_limit_bytes: positive("BODY_LIMIT_BYTES", raw.body_limit_bytes.unwrap_or(65_536))?,
            metrics_cache: secs("METRICS_CACHE_SECS", raw.metrics_cache_secs, 5)?,
            order_rate_limit: RateLimit {
                per_minute: positive(
                    "ORDER_RATE_LIMIT_PER_MINUTE",
                    raw.order_rate_limit_per_minute.unwrap_or(30),
                )?,
                burst: positive("ORDER_RATE_LIMIT_BURST", raw.order_rate_limit_burst.unwrap_or(5))?,
            },
        })
    }
}

impl DatabaseConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let url = raw.database_url.clone();
        let url = url.unwrap_or_else(|| "postgres://postgres@localhost:5432/postgres".to_owned());
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(ConfigError::new("DATABASE_URL", "must be a postgres:// URL"));
        }
        Ok(Self {
            url,
            max_connections: positive(
                "DATABASE_MAX_CONNECTIONS",
                raw.database_max_connections.unwrap_or(20),
            )?,
            acquire_timeout: millis(
                "DATABASE_ACQUIRE_TIMEOUT_MS",
                raw.database_acquire_timeout_ms,
                3_000,
            )?,
        })
    }
}
