//! Database settings: where it is, how many connections, and how long to wait for it.

use std::time::Duration;

use super::raw::{positive, positive_millis};
use super::{ConfigError, RawConfig};

/// How to reach the database and how long to wait for it.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// Connection string (`DATABASE_URL`).
    pub url: String,
    /// Most connections held (`DATABASE_MAX_CONNECTIONS`, default 10).
    pub max_connections: u32,
    /// Longest wait for a pooled connection before answering 503
    /// (`DATABASE_ACQUIRE_TIMEOUT_MS`, default 3000).
    pub acquire_timeout: Duration,
    /// Longest a single statement may run (`DATABASE_STATEMENT_TIMEOUT_MS`, default 5000).
    pub statement_timeout: Duration,
}

impl DatabaseConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let url = raw
            .database_url
            .clone()
            .or_else(|| crate::repositories::database::DEFAULT_URL.map(str::to_owned))
            .ok_or_else(|| ConfigError::new("DATABASE_URL", "is required"))?;
        Ok(Self {
            url,
            max_connections: positive(
                "DATABASE_MAX_CONNECTIONS",
                raw.database_max_connections.unwrap_or(10),
            )?,
            acquire_timeout: positive_millis(
                "DATABASE_ACQUIRE_TIMEOUT_MS",
                raw.database_acquire_timeout_ms.unwrap_or(3_000),
            )?,
            statement_timeout: positive_millis(
                "DATABASE_STATEMENT_TIMEOUT_MS",
                raw.database_statement_timeout_ms.unwrap_or(5_000),
            )?,
        })
    }
}
