//! Database settings: where it is, how many connections, and how long to wait for it, read
//! into the repositories' [`DatabaseConfig`].

use super::raw::{positive, positive_millis};
use super::{ConfigError, RawConfig};
use crate::repositories::database::DEFAULT_URL;
use crate::repositories::pool::DatabaseConfig;

/// Reads `DATABASE_URL` (required unless the database has a default),
/// `DATABASE_MAX_CONNECTIONS` (10), `DATABASE_ACQUIRE_TIMEOUT_MS` (3000) and
/// `DATABASE_STATEMENT_TIMEOUT_MS` (5000).
pub(super) fn from_raw(raw: &RawConfig) -> Result<DatabaseConfig, ConfigError> {
    let url = raw
        .database_url
        .clone()
        .or_else(|| DEFAULT_URL.map(str::to_owned))
        .ok_or_else(|| ConfigError::new("DATABASE_URL", "is required"))?;
    Ok(DatabaseConfig {
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
