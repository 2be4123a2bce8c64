//! Scratch databases for the projects xtask generates and runs: recreated from scratch, with
//! the migrations applied, on `SQLite` (`sqlite3`) or on the PostgreSQL server of `DATABASE_URL`
//! (`psql`; default: local, user postgres).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cmd;

/// Recreates the `SQLite` database at `path`; returns its URL.
pub(crate) fn sqlite_database(path: &Path, migrations: &[PathBuf]) -> cmd::Result<String> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    for file in migrations {
        pipe(Command::new("sqlite3").arg(path), file)?;
    }
    Ok(format!("sqlite://{}", path.display()))
}

/// Recreates `name` on the server of `DATABASE_URL` (default: local, user postgres).
pub(crate) fn postgres_database(name: &str, migrations: &[PathBuf]) -> cmd::Result<String> {
    let (drop, create) =
        (format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}"));
    cmd::output(psql("postgres").args(["-c", &drop, "-c", &create]))?;
    for file in migrations {
        pipe(&mut psql(name), file)?;
    }
    Ok(format!("{}/{name}", postgres_server()))
}

/// Drops `name` from the server of `DATABASE_URL`, if it exists.
pub(crate) fn drop_postgres_database(name: &str) -> cmd::Result {
    cmd::output(psql("postgres").args(["-c", &format!("DROP DATABASE IF EXISTS {name}")]))?;
    Ok(())
}

/// The server of `DATABASE_URL`, without a database name.
fn postgres_server() -> String {
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base).to_owned()
}

/// `psql` on `database`, stopping at the first error.
fn psql(database: &str) -> Command {
    let mut command = Command::new("psql");
    let url = format!("{}/{database}", postgres_server());
    command.args(["-q", "-v", "ON_ERROR_STOP=1", &url]);
    command
}

/// Runs `command` with `input` (a migration) on its standard input.
fn pipe(command: &mut Command, input: &Path) -> cmd::Result {
    let file = std::fs::File::open(input)?;
    let status = command.stdin(Stdio::from(file)).status()?;
    if status.success() {
        return Ok(());
    }
    Err(cmd::Error::new(format!("applying {} failed ({status})", input.display())))
}
