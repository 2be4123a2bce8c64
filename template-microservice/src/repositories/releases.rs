//! The reservations to release, in PostgreSQL: the outbox of calls to the inventory.
//!
//! A worker claims due rows by leasing them (`next_attempt_at` moves past the lease, in the
//! statement that picks them with `FOR UPDATE SKIP LOCKED`), so no transaction stays open
//! during the call, two workers never take the same row, and a worker that dies leaves its
//! rows to another one once the lease ends. Expired orders are cancelled and their release
//! recorded in one statement.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use uuid::Uuid;

use super::pool::map_error;
use super::{DueRelease, ReleaseQueue, ReleaseReason, RepositoryResult};

/// The `reservation_releases` table.
#[derive(Debug, Clone)]
pub(crate) struct PgReleases {
    pool: PgPool,
}

impl PgReleases {
    #[must_use]
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl ReleaseQueue for PgReleases {
    async fn expire_pending(&self, ttl: Duration, limit: u32) -> RepositoryResult<u64> {
        let expired = sqlx::query_scalar!(
            r#"WITH expired AS (
                   UPDATE orders SET status = 'cancelled', version = version + 1,
                                     updated_at = now()
                   WHERE id IN (
                       SELECT id FROM orders
                       WHERE status = 'pending'
                         AND created_at < clock_timestamp() - make_interval(secs => $1)
                       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
                   ) AND status = 'pending'
                   RETURNING id
               ),
               recorded AS (
                   INSERT INTO reservation_releases (order_id, reason)
                   SELECT id, $3 FROM expired ON CONFLICT DO NOTHING
               )
               SELECT count(*) AS "expired!" FROM expired"#,
            ttl.as_secs_f64(),
            i64::from(limit),
            ReleaseReason::Expired.as_str(),
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(u64::try_from(expired).unwrap_or_default())
    }

    async fn claim_due(&self, limit: u32, lease: Duration) -> RepositoryResult<Vec<DueRelease>> {
        let rows = sqlx::query!(
            r#"WITH due AS (
                   SELECT order_id FROM reservation_releases
                   WHERE done_at IS NULL AND next_attempt_at <= clock_timestamp()
                   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
               )
               UPDATE reservation_releases AS r
               SET attempts = r.attempts + 1,
                   next_attempt_at = clock_timestamp() + make_interval(secs => $2)
               FROM due WHERE r.order_id = due.order_id
               RETURNING r.order_id, r.attempts, r.traceparent,
                         EXISTS (SELECT 1 FROM orders AS o
                                 WHERE o.id = r.order_id AND o.status <> 'cancelled')
                             AS "moot!""#,
            i64::from(limit),
            lease.as_secs_f64(),
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        let due = rows.into_iter().map(|row| DueRelease {
            order_id: row.order_id,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            traceparent: row.traceparent,
            moot: row.moot,
        });
        Ok(due.collect())
    }

    async fn mark_done(&self, order_id: Uuid) -> RepositoryResult<()> {
        sqlx::query!(
            "UPDATE reservation_releases SET done_at = clock_timestamp() WHERE order_id = $1",
            order_id
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn retry_later(&self, order_id: Uuid, delay: Duration) -> RepositoryResult<()> {
        sqlx::query!(
            "UPDATE reservation_releases
             SET next_attempt_at = clock_timestamp() + make_interval(secs => $2)
             WHERE order_id = $1 AND done_at IS NULL",
            order_id,
            delay.as_secs_f64(),
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}
