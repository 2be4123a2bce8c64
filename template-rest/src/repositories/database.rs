//! The SQLite specifics: the driver, the default location and the connection settings.
//!
//! This is the only file, with `migrations/` and `.sqlx/`, that differs between the SQLite and
//! PostgreSQL forms of this service. Everything else in `repositories/` is portable SQL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::error::DatabaseError;
use sqlx::migrate::MigrateError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection as _, Pool};

pub(crate) type Db = sqlx::Sqlite;

/// Used when `DATABASE_URL` is not set: a file in the working directory, created on first run.
pub(crate) const DEFAULT_URL: Option<&str> =
    Some(concat!("sqlite://", env!("CARGO_PKG_NAME"), ".db"));

/// Connection options for `url`. `statement_timeout` bounds how long a write waits for the
/// database lock, since SQLite has no per-statement timeout.
///
/// # Errors
/// Fails when the URL cannot be parsed.
pub(crate) fn connect_options(
    url: &str,
    statement_timeout: Duration,
) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit that returned is on disk, even after a power cut.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(statement_timeout))
}

/// How many times the migration transaction is tried when SQLite answers "busy" at once.
/// SQLite does so without calling the busy handler (so without waiting out the busy timeout)
/// in a few cases, such as while another connection sets up a new file's WAL index; the
/// transaction is rolled back whole before the next try.
const MIGRATION_ATTEMPTS: u32 = 20;

/// Applies the embedded migrations that have not run yet, holding SQLite's write lock from
/// before the applied ones are read until the last one is committed. sqlx takes no migration
/// lock on SQLite, so two processes starting together on an empty file would otherwise both
/// try the same migration; here the second waits (up to the busy timeout, and through
/// 20 tries when SQLite refuses without waiting), then finds nothing left to do.
///
/// # Errors
/// Fails when the database is unreachable, stays locked, or a migration fails.
pub(crate) async fn migrate(pool: &Pool<Db>) -> Result<(), MigrateError> {
    let mut attempt = 1;
    loop {
        match migrate_once(pool).await {
            Err(MigrateError::Execute(sqlx::Error::Database(error)))
                if is_transient(error.as_ref()) && attempt < MIGRATION_ATTEMPTS =>
            {
                tracing::debug!(attempt, %error, "the migration found the database busy; trying again");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outcome => return outcome,
        }
    }
}

async fn migrate_once(pool: &Pool<Db>) -> Result<(), MigrateError> {
    let mut connection = pool.acquire().await?;
    let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
    // `run_direct` is `run` without the `Acquire` bound, which makes this future unusable in
    // `tokio::spawn` ("implementation of `Acquire` is not general enough"); sqlx keeps it
    // public for that reason.
    sqlx::migrate!().run_direct(None, &mut *transaction, false).await?;
    transaction.commit().await?;
    Ok(())
}

/// Whether an error from the database means "try again later" rather than a bug:
/// the file is locked by another writer.
#[must_use]
pub(crate) fn is_transient(error: &dyn DatabaseError) -> bool {
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes (low byte).
    let code = error.code().and_then(|code| code.parse::<u32>().ok());
    matches!(code.map(|code| code & 0xff), Some(5 | 6))
}
