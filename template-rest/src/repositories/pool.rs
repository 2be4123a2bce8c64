//! The connection pool, migrations and the mapping of driver errors, for either database.

use async_trait::async_trait;
use sqlx::pool::PoolOptions;

use super::database::{self, Db};
use super::{HealthCheck, PoolStats, RepositoryError, RepositoryResult};
use crate::config::DatabaseConfig;

/// A pool of database connections.
pub type DbPool = sqlx::Pool<Db>;

/// Opens the pool. Connections are made on demand, so a database that is down at this moment
/// makes requests fail fast with 503 instead of stopping the service.
///
/// # Errors
/// Fails when the URL is malformed.
pub fn connect(settings: &DatabaseConfig) -> Result<DbPool, sqlx::Error> {
    let options = database::connect_options(&settings.url, settings.statement_timeout)?;
    Ok(PoolOptions::<Db>::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options))
}

/// Applies the embedded migrations that have not run yet.
///
/// # Errors
/// Fails when the database is unreachable or a migration fails.
pub async fn migrate(pool: &DbPool) -> Result<(), sqlx::migrate::MigrateError> {
    database::migrate(pool).await
}

/// Classifies a driver error: conflict, unavailable (retry later) or other (a bug).
pub(crate) fn map_error(error: sqlx::Error) -> RepositoryError {
    match error {
        sqlx::Error::Database(db_error) if db_error.is_unique_violation() => {
            RepositoryError::Conflict
        }
        sqlx::Error::Database(db_error) if database::is_transient(db_error.as_ref()) => {
            RepositoryError::Unavailable(Box::new(sqlx::Error::Database(db_error)))
        }
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
pub struct PoolHealth {
    pool: DbPool,
}

impl PoolHealth {
    /// Wraps a pool.
    #[must_use]
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl HealthCheck for PoolHealth {
    async fn ping(&self) -> RepositoryResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_error)?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats { size: self.pool.size(), idle: self.pool.num_idle() }
    }
}
