//! The outbox module's [`Outbox`] in PostgreSQL. A relay claims unsent rows with `FOR UPDATE SKIP LOCKED` inside a
//! transaction that it holds while publishing, so several relays never claim the same row;
//! rows are marked sent in that transaction, after the broker acknowledged them.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::pool::map_error;
use crate::outbox::{Backlog, Outbox, OutboxClaim, OutboxEvent, StoreError};

/// The outbox table.
#[derive(Debug, Clone)]
pub(crate) struct PgOutbox {
    pool: PgPool,
}

impl PgOutbox {
    #[must_use]
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// Rows locked by an open transaction.
struct PgClaim {
    transaction: Transaction<'static, Postgres>,
    events: Vec<OutboxEvent>,
}

#[async_trait]
impl Outbox for PgOutbox {
    async fn claim(&self, limit: u32) -> Result<Box<dyn OutboxClaim>, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        let events = sqlx::query_as!(
            OutboxEvent,
            "SELECT id, subject, payload, traceparent FROM outbox
             WHERE sent_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
            i64::from(limit),
        )
        .fetch_all(&mut *transaction)
        .await
        .map_err(map_error)?;
        Ok(Box::new(PgClaim { transaction, events }))
    }

    async fn backlog(&self) -> Result<Backlog, StoreError> {
        let row = sqlx::query!(
            r#"SELECT count(*) AS "depth!",
                      COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at))::float8, 0)
                          AS "oldest_age_secs!"
               FROM outbox WHERE sent_at IS NULL"#
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        let depth = u64::try_from(row.depth).unwrap_or_default();
        Ok(Backlog { depth, oldest_age_secs: row.oldest_age_secs.max(0.0) })
    }

    async fn purge_sent(&self, age: Duration) -> Result<u64, StoreError> {
        let seconds = age.as_secs_f64();
        let deleted = sqlx::query!(
            "DELETE FROM outbox WHERE sent_at < clock_timestamp() - make_interval(secs => $1)",
            seconds,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(deleted.rows_affected())
    }
}

#[async_trait]
impl OutboxClaim for PgClaim {
    fn events(&self) -> &[OutboxEvent] {
        &self.events
    }

    async fn mark_sent(mut self: Box<Self>, ids: &[Uuid]) -> Result<(), StoreError> {
        if !ids.is_empty() {
            sqlx::query!("UPDATE outbox SET sent_at = clock_timestamp() WHERE id = ANY($1)", ids,)
                .execute(&mut *self.transaction)
                .await
                .map_err(map_error)?;
        }
        Ok(self.transaction.commit().await.map_err(map_error)?)
    }
}
