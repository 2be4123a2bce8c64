//! Two processes on one SQLite file, SQLite form. The Kubernetes manifests run one pod (one
//! file has one writer), so two migrators meet only by accident: two processes started
//! together on an empty file. sqlx takes no migration lock on SQLite; `database::migrate`
//! holds SQLite's write lock across the whole run, so the second process waits, finds every
//! migration applied, and starts too.
//!
//! The PostgreSQL form of this file runs two replicas on one database.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Barrier;

use crate::faults::database_url;
use crate::service::config::DatabaseConfig;
use crate::service::repositories::pool::{self, DbPool};
use crate::support::TestApp;

/// Another pool on the file behind `pool`, as a second process would open.
fn process_pool(pool: &DbPool) -> DbPool {
    let settings = DatabaseConfig {
        url: database_url(pool),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    };
    pool::connect(&settings).expect("process pool")
}

#[sqlx::test(migrations = false)]
async fn processes_starting_together_on_an_empty_file_apply_each_migration_once(pool: DbPool) {
    let start = Arc::new(Barrier::new(2));
    let processes: Vec<_> = (0..2)
        .map(|_| {
            let (process, start) = (process_pool(&pool), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let outcome = pool::migrate(&process).await;
                (process, outcome)
            })
        })
        .collect();
    for process in processes {
        let (_process, outcome) = process.await.unwrap();
        outcome.expect("both processes start at the first attempt");
    }

    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Vec<(i64, bool)> =
        sqlx::migrate!().iter().map(|migration| (migration.version, true)).collect();
    assert_eq!(applied, expected, "each migration recorded once, and succeeded");
    let app = TestApp::new(pool.clone()).await;
    app.register("after@example.com", "After").await;
}
