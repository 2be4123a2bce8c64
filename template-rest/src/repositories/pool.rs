//! The connection pool, migrations and the mapping of driver errors, for either database.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Connection as _;
use sqlx::pool::PoolOptions;

use super::database::{self, Db};
use super::{HealthCheck, PoolStats, RepositoryError, RepositoryResult};

/// How to reach the database and how long to wait for it (the template's `config/` reads
/// `DATABASE_*` into it).
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

/// A pool of database connections.
pub type DbPool = sqlx::Pool<Db>;

/// A connection idle for longer than this is pinged before a request gets it.
pub(crate) const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens the pool. Connections are made on demand, so a database that is down at this moment
/// makes requests fail fast with 503 instead of stopping the service.
///
/// # Errors
/// Fails when the URL is malformed.
pub fn connect(settings: &DatabaseConfig) -> Result<DbPool, sqlx::Error> {
    let options = database::connect_options(&settings.url, settings.statement_timeout)?;
    Ok(pool_options()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options))
}

/// sqlx pings every connection it takes from the pool (`test_before_acquire`), a round trip to
/// the database per query under load. Here only a connection idle for [`PING_AFTER_IDLE`] is
/// pinged: one that has just served a query is alive, and one that has sat long enough for the
/// database or the network to drop it is still checked, and replaced when it does not answer.
#[must_use]
pub(crate) fn pool_options() -> PoolOptions<Db> {
    PoolOptions::<Db>::new().test_before_acquire(false).before_acquire(|connection, meta| {
        Box::pin(
            async move { Ok(meta.idle_for < PING_AFTER_IDLE || connection.ping().await.is_ok()) },
        )
    })
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
pub(crate) struct PoolHealth {
    pool: DbPool,
}

impl PoolHealth {
    #[must_use]
    pub(crate) fn new(pool: DbPool) -> Self {
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
