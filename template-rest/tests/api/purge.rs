//! Refresh tokens that can no longer be used are purged: expired or revoked longer ago than
//! the retention, while live and recently ended ones stay.

use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use crate::service::app::{self, Wiring};
use crate::service::auth::HashCost;
use crate::service::repositories::pool::DbPool;
use crate::service::services::auth::{LoginAttempt, Registration};
use crate::support::{PASSWORD, test_config};

#[derive(Clone, Copy)]
enum Column {
    ExpiresAt,
    RevokedAt,
}

async fn row_count(pool: &DbPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM refresh_tokens").fetch_one(pool).await.unwrap()
}

/// Moves a token's expiry, or its revocation, `hours_ago` into the past.
async fn set_time(pool: &DbPool, id: Uuid, column: Column, hours_ago: i64) {
    let when = Utc::now() - chrono::Duration::hours(hours_ago);
    let statement = match column {
        Column::ExpiresAt => "UPDATE refresh_tokens SET expires_at = $1 WHERE id = $2",
        Column::RevokedAt => "UPDATE refresh_tokens SET revoked_at = $1 WHERE id = $2",
    };
    sqlx::query(statement).bind(when).bind(id).execute(pool).await.unwrap();
}

#[sqlx::test]
async fn expired_and_revoked_tokens_are_purged_after_the_retention(pool: DbPool) {
    let config = test_config(&[("REFRESH_TOKEN_RETENTION_SECS", "86400")]);
    let wiring = Wiring { cost: HashCost::MINIMAL, subscribers: Vec::new() };
    let state = app::wire(&config, pool.clone(), wiring).unwrap();
    let email = "pia@example.com".to_owned();
    let registration = Registration {
        email: email.clone(),
        password: PASSWORD.into(),
        name: "Pia".into(),
        client: [127, 0, 0, 1].into(),
    };
    state.auth.register(registration).await.unwrap();
    let attempt = LoginAttempt { email, password: PASSWORD.into(), client: [127, 0, 0, 1].into() };
    for _ in 0..5 {
        state.auth.login(&attempt).await.unwrap();
    }
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM refresh_tokens ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    set_time(&pool, ids[0], Column::ExpiresAt, 48).await;
    set_time(&pool, ids[1], Column::RevokedAt, 48).await;
    set_time(&pool, ids[2], Column::ExpiresAt, 1).await;
    set_time(&pool, ids[3], Column::RevokedAt, 1).await;
    let retention = config.refresh_token_purge.retention;
    assert_eq!(retention, Duration::from_hours(24));
    assert_eq!(state.auth.purge_refresh_tokens(retention).await.unwrap(), 2);
    let left: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM refresh_tokens ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, ids[2..], "live and recently ended tokens stay");
    assert_eq!(state.auth.purge_refresh_tokens(retention).await.unwrap(), 0);
    assert_eq!(row_count(&pool).await, 3);
}
