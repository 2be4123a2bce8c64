//! The PostgreSQL specifics: the driver, the default location and the connection settings.
//!
//! This is the only file, with `migrations/` and `.sqlx/`, that differs between the SQLite and
//! PostgreSQL forms of this service. Everything else in `repositories/` is portable SQL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Pool;
use sqlx::error::DatabaseError;
use sqlx::migrate::MigrateError;
use sqlx::postgres::PgConnectOptions;

pub(crate) type Db = sqlx::Postgres;

/// PostgreSQL has no safe default location: `DATABASE_URL` is required.
pub(crate) const DEFAULT_URL: Option<&str> = None;

/// Connection options for `url`, with a server-side `statement_timeout` on every connection,
/// so a runaway query cannot hold a connection for ever.
///
/// # Errors
/// Fails when the URL cannot be parsed.
pub(crate) fn connect_options(
    url: &str,
    statement_timeout: Duration,
) -> Result<PgConnectOptions, sqlx::Error> {
    let millis = statement_timeout.as_millis().to_string();
    Ok(PgConnectOptions::from_str(url)?
        .application_name(env!("CARGO_PKG_NAME"))
        .options([("statement_timeout", millis.as_str())]))
}

/// Applies the embedded migrations that have not run yet. sqlx holds a PostgreSQL advisory
/// lock while it migrates, so replicas starting together apply each migration once.
///
/// # Errors
/// Fails when the database is unreachable or a migration fails.
pub(crate) async fn migrate(pool: &Pool<Db>) -> Result<(), MigrateError> {
    sqlx::migrate!().run(pool).await
}

/// Whether an error from the database means "try again later" rather than a bug: the
/// connection broke, the server is out of resources, or an operator intervened (a restart,
/// or `statement_timeout` cancelling a query).
#[must_use]
pub(crate) fn is_transient(error: &dyn DatabaseError) -> bool {
    let code = error.code().unwrap_or_default();
    ["08", "53", "57"].iter().any(|class| code.starts_with(class))
}
