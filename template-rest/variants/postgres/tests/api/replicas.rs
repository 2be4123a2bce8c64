//! Two replicas of the service on one PostgreSQL database, PostgreSQL form: each replica has
//! its own pool and its own in-process state, and shares only the database, as pods behind a
//! load balancer do.
//!
//! - A refresh token rotated through one replica is refused when replayed on the other, and
//!   the replay revokes the token's whole family on both.
//! - The same refresh token sent to both at once is honoured once.
//! - Replicas starting together against an empty database apply each migration once: sqlx
//!   holds a PostgreSQL advisory lock while it migrates, so the second waits for the first.
//!
//! The SQLite form of this file shows what holds without such a lock.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio::sync::Barrier;

use crate::faults::database_url;
use crate::service::config::DatabaseConfig;
use crate::service::repositories::pool::{self, DbPool};
use crate::support::{Reply, TestApp, Tokens};

/// Another pool on the database behind `pool`, as a second pod would open.
fn replica_pool(pool: &DbPool) -> DbPool {
    let settings = DatabaseConfig {
        url: database_url(pool),
        max_connections: 4,
        acquire_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    };
    pool::connect(&settings).expect("replica pool")
}

/// Two replicas of the service, each with its own pool, on the database behind `pool`.
async fn two_replicas(pool: &DbPool) -> (TestApp, TestApp) {
    (TestApp::new(replica_pool(pool)).await, TestApp::new(replica_pool(pool)).await)
}

async fn refresh(replica: &TestApp, refresh_token: &str) -> Reply {
    let body = json!({"refresh_token": refresh_token});
    replica.request(Method::POST, "/api/v1/auth/refresh").json(&body).send().await
}

async fn live_refresh_tokens(pool: &DbPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_token_rotated_on_one_replica_is_refused_on_the_other_and_revokes_the_family(
    pool: DbPool,
) {
    let (first, second) = two_replicas(&pool).await;
    let (_, issued) = first.user("ann@example.com").await;
    let rotated = refresh(&first, &issued.refresh).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let successor = Tokens::from(&rotated.body);

    refresh(&second, &issued.refresh).await.problem(StatusCode::UNAUTHORIZED);

    refresh(&first, &successor.refresh).await.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(live_refresh_tokens(&pool).await, 0, "the whole family is revoked");
}

#[sqlx::test]
async fn one_refresh_token_sent_to_both_replicas_at_once_is_honoured_once(pool: DbPool) {
    let (first, second) = two_replicas(&pool).await;
    let (_, issued) = first.user("bob@example.com").await;

    let (on_first, on_second) =
        tokio::join!(refresh(&first, &issued.refresh), refresh(&second, &issued.refresh));

    let mut statuses = [on_first.status, on_second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED], "exactly one rotation");
    let winner = if on_first.status == StatusCode::OK { on_first } else { on_second };
    let successor = Tokens::from(&winner.body);
    refresh(&second, &successor.refresh).await.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(live_refresh_tokens(&pool).await, 0, "the loser saw a reuse: family revoked");
}

#[sqlx::test(migrations = false)]
async fn replicas_starting_together_on_an_empty_database_apply_each_migration_once(pool: DbPool) {
    let start = Arc::new(Barrier::new(2));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (replica, start) = (replica_pool(&pool), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                pool::migrate(&replica).await
            })
        })
        .collect();
    for run in runs {
        run.await.unwrap().expect("every replica migrates and starts");
    }

    assert_eq!(applied_migrations(&pool).await, every_migration(), "each applied once");
    TestApp::new(pool.clone()).await.register("after@example.com", "After").await;
}

/// `(version, success)` of every row of sqlx's bookkeeping table.
async fn applied_migrations(pool: &DbPool) -> Vec<(i64, bool)> {
    let query = "SELECT version, success FROM _sqlx_migrations ORDER BY version";
    sqlx::query_as(query).fetch_all(pool).await.unwrap()
}

/// `(version, true)` for each migration this service embeds.
fn every_migration() -> Vec<(i64, bool)> {
    sqlx::migrate!().iter().map(|migration| (migration.version, true)).collect()
}
