//! The connection pool, migrations, the mapping of driver errors, and the health probe.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::{HealthCheck, RepositoryError, RepositoryResult};

/// The PostgreSQL pool.
#[derive(Debug, Clone)]
pub(crate) struct DatabaseConfig {
    /// `DATABASE_URL` (default `postgres://postgres@localhost:5432/postgres`).
    pub(crate) url: String,
    /// Most pooled connections (`DATABASE_MAX_CONNECTIONS`, default 20).
    pub(crate) max_connections: u32,
    /// Longest wait for a free connection (`DATABASE_ACQUIRE_TIMEOUT_MS`, default 3000).
    pub(crate) acquire_timeout: Duration,
}

/// Opens the pool. Connections are made on demand, so a database that is down at this moment
/// makes requests fail fast with 503 instead of stopping the service.
///
/// # Errors
/// Fails when the URL is malformed.
pub(crate) fn connect(settings: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy(&settings.url)
}

/// A small pool of its own on the same database, for work that must not queue behind request
/// traffic for a connection (the outbox relay: its lag is the time events wait).
#[must_use]
pub(crate) fn side_pool(pool: &PgPool, connections: u32) -> PgPool {
    let options = (*pool.connect_options()).clone();
    PgPoolOptions::new().max_connections(connections).connect_lazy_with(options)
}

/// Applies the embedded migrations that have not run yet.
///
/// # Errors
/// Fails when the database is unreachable or a migration fails.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!().run(pool).await
}

/// Classifies a driver error: unavailable (retry later) or other (a bug).
pub(crate) fn map_error(error: sqlx::Error) -> RepositoryError {
    match error {
        error @ (sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed) => RepositoryError::Unavailable(Box::new(error)),
        other => RepositoryError::Other(Box::new(other)),
    }
}

/// Checks the database with a trivial query.
#[derive(Debug, Clone)]
pub(crate) struct PoolHealth {
    pool: PgPool,
}

impl PoolHealth {
    #[must_use]
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl HealthCheck for PoolHealth {
    async fn ping(&self) -> RepositoryResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_error)?;
        Ok(())
    }
}
