//! The HTTP server's limits and timeouts, and the database pool.

use std::time::Duration;

use super::raw::{millis, positive, secs};
use super::{ConfigError, RawConfig};

/// Timeouts and limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Longest a request may take (`REQUEST_TIMEOUT_SECS`, default 10).
    pub request_timeout: Duration,
    /// Longest a client may take to send its request head (`HEADER_READ_TIMEOUT_SECS`, 5).
    pub header_read_timeout: Duration,
    /// Longest the shutdown may take (`SHUTDOWN_TIMEOUT_SECS`, default 20).
    pub shutdown_timeout: Duration,
    /// Most connections open at once (`MAX_CONNECTIONS`, default 1024).
    pub max_connections: usize,
    /// Largest request body (`BODY_LIMIT_BYTES`, default 64 KiB).
    pub body_limit_bytes: usize,
    /// How long `/metrics` reuses its reading of the outbox backlog (`METRICS_CACHE_SECS`,
    /// default 5), so that scrapes cannot make the database count the outbox at will.
    pub metrics_cache: Duration,
    /// Orders one user may place (`ORDER_RATE_LIMIT_PER_MINUTE`, default 30, and
    /// `ORDER_RATE_LIMIT_BURST`, default 5).
    pub order_rate_limit: RateLimit,
}

/// A token bucket: how fast it refills, and how many tokens it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Tokens per minute.
    pub per_minute: u32,
    /// Tokens the bucket holds: how many may be taken at once.
    pub burst: u32,
}

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

/// The PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `DATABASE_URL` (default `postgres://postgres@localhost:5432/postgres`).
    pub url: String,
    /// Most pooled connections (`DATABASE_MAX_CONNECTIONS`, default 20).
    pub max_connections: u32,
    /// Longest wait for a free connection (`DATABASE_ACQUIRE_TIMEOUT_MS`, default 3000).
    pub acquire_timeout: Duration,
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
