//! The SQLite specifics: the driver, the default location and the connection settings.
//!
//! This is the only file, with `migrations/` and `.sqlx/`, that differs between the SQLite and
//! PostgreSQL forms of this service. Everything else in `repositories/` is portable SQL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::error::DatabaseError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// The database driver.
pub type Db = sqlx::Sqlite;

/// Used when `DATABASE_URL` is not set: a file in the working directory, created on first run.
pub const DEFAULT_URL: Option<&str> = Some(concat!("sqlite://", env!("CARGO_PKG_NAME"), ".db"));

/// Connection options for `url`. `statement_timeout` bounds how long a write waits for the
/// database lock, since SQLite has no per-statement timeout.
///
/// # Errors
/// Fails when the URL cannot be parsed.
pub fn connect_options(
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

/// Whether an error from the database means "try again later" rather than a bug:
/// the file is locked by another writer.
#[must_use]
pub fn is_transient(error: &dyn DatabaseError) -> bool {
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes (low byte).
    let code = error.code().and_then(|code| code.parse::<u32>().ok());
    matches!(code.map(|code| code & 0xff), Some(5 | 6))
}
