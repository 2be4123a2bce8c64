//! Database faults, SQLite form: a locked database makes writes fail fast with 503 and
//! `Retry-After`, the service recovers by itself once the lock is gone, and every write that
//! was answered 2xx is in the database.
//!
//! This file and `src/repositories/database.rs` are the ones that differ between the SQLite and
//! PostgreSQL forms; the PostgreSQL form cuts the network to the server instead.

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use serde_json::json;
use sqlx::Connection as _;
use sqlx::sqlite::SqliteConnection;

use crate::service::config::DatabaseConfig;
use crate::service::repositories::pool::{self, DbPool};
use crate::support::{PASSWORD, TestApp};

/// The URL of the database behind a test pool, for a service started in another process.
pub fn database_url(pool: &DbPool) -> String {
    format!("sqlite://{}", pool.connect_options().get_filename().display())
}

/// A pool on the same file with production's short waits.
fn impatient_pool(pool: &DbPool) -> DbPool {
    let settings = DatabaseConfig {
        url: database_url(pool),
        max_connections: 4,
        acquire_timeout: Duration::from_millis(500),
        statement_timeout: Duration::from_millis(200),
    };
    pool::connect(&settings).expect("pool")
}

async fn register(app: &TestApp, email: &str) -> StatusCode {
    let body = json!({"email": email, "password": PASSWORD, "name": "Writer"});
    app.request(Method::POST, "/api/v1/auth/register").json(&body).send().await.status
}

#[sqlx::test]
async fn a_locked_database_fails_fast_and_recovers(pool: DbPool) {
    let app = TestApp::with(impatient_pool(&pool), &[], Vec::new()).await;
    assert_eq!(register(&app, "before@example.com").await, StatusCode::CREATED);
    let mut locker = SqliteConnection::connect(&database_url(&pool)).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut locker).await.unwrap();
    sqlx::query("DELETE FROM refresh_tokens").execute(&mut locker).await.unwrap();
    let body = json!({"email": "during@example.com", "password": PASSWORD, "name": "Writer"});
    let refused = app.request(Method::POST, "/api/v1/auth/register").json(&body).send().await;
    refused.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(app.request(Method::GET, "/health/live").send().await.status, StatusCode::OK);
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    assert_eq!(register(&app, "during@example.com").await, StatusCode::CREATED, "recovered");
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE email LIKE '%@example.com' AND role = 'user'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, 2, "both writes answered 201 are stored, the refused one is not twice");
}
