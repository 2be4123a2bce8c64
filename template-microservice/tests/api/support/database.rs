//! A fresh database per test on the server of `DATABASE_URL`, dropped when the test ends.

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection as _, PgConnection};

/// The server used when `DATABASE_URL` is not set.
const DEFAULT_SERVER: &str = "postgres://postgres@localhost:5432/postgres";

/// A database of its own, migrated by the service when it starts.
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    name: String,
    server: String,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn new() -> Self {
        let server = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER.to_owned());
        let name = format!("microservice_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&server).await.expect("PostgreSQL is reachable");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("creates");
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        let pool = PgPoolOptions::new().max_connections(20).connect(&url).await.expect("connects");
        Self { pool, url, name, server }
    }

    /// Runs a query that returns one number.
    pub async fn count(&self, query: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
            .fetch_one(&self.pool)
            .await
            .expect("counts")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // The pool's connections belong to the test's runtime: `WITH (FORCE)` ends them.
        // Drop runs outside async code: a thread with its own runtime removes the database.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async move {
                let mut admin =
                    PgConnection::connect(&server).await.map_err(std::io::Error::other)?;
                let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut admin)
                    .await
                    .map_err(std::io::Error::other)?;
                Ok::<_, std::io::Error>(())
            })
        });
        if let Ok(Err(error)) = dropped.join() {
            eprintln!("could not drop the test database: {error}");
        }
    }
}
