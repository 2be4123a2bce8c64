//! Orders in PostgreSQL: each one written with its outbox event in one transaction, and each
//! payment settled together with its inbox row, so that a redelivered message has no second
//! effect. Each of these is a single statement (data-modifying CTEs): one round trip, and the
//! statement's own transaction makes its parts atomic.
//!
//! A settlement records the message only if the order exists (so a redelivery can retry a
//! payment that arrived before its order), and moves the order only if it recorded the message
//! and the order is still pending (a cancellation records the release of the order's stock in
//! the same statement); under concurrency, PostgreSQL re-checks `status = 'pending'`
//! on the locked row, so two payments for one order settle it once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use super::pool::map_error;
use super::{
    OrderRepository, OutboxEvent, Release, ReleaseReason, RepositoryError, RepositoryResult,
    SettleOutcome, Settlement,
};
use crate::domain::order::{Order, OrderItem, OrderStatus};
use crate::domain::page::PageRequest;

/// Orders stored in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgOrders {
    pool: PgPool,
}

impl PgOrders {
    /// Orders in `pool`.
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// An order as a row.
struct OrderRow {
    id: Uuid,
    owner_id: Uuid,
    status: String,
    items: Json<Vec<OrderItem>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OrderRow> for Order {
    type Error = RepositoryError;

    fn try_from(row: OrderRow) -> Result<Self, Self::Error> {
        let status = OrderStatus::parse(&row.status).ok_or_else(|| {
            RepositoryError::Other(format!("unknown order status `{}`", row.status).into())
        })?;
        Ok(Self {
            id: row.id,
            owner_id: row.owner_id,
            status,
            items: row.items.0,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl OrderRepository for PgOrders {
    async fn create(&self, order: &Order, event: &OutboxEvent) -> RepositoryResult<()> {
        // One statement, so one round trip and one implicit transaction for both rows.
        sqlx::query!(
            "WITH stored AS (
                 INSERT INTO orders (id, owner_id, status, items, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
             )
             INSERT INTO outbox (id, subject, payload, traceparent) VALUES ($6, $7, $8, $9)",
            order.id,
            order.owner_id,
            order.status.as_str(),
            Json(&order.items) as _,
            order.created_at,
            event.id,
            event.subject,
            event.payload,
            event.traceparent,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn record_release(&self, release: &Release) -> RepositoryResult<()> {
        sqlx::query!(
            "INSERT INTO reservation_releases (order_id, reason, traceparent) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            release.order_id,
            release.reason.as_str(),
            release.traceparent,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn find(&self, id: Uuid) -> RepositoryResult<Option<Order>> {
        let row = sqlx::query_as!(
            OrderRow,
            r#"SELECT id, owner_id, status, items AS "items: Json<Vec<OrderItem>>", created_at
               FROM orders WHERE id = $1"#,
            id,
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(Order::try_from).transpose()
    }

    async fn list_by_owner(
        &self,
        owner_id: Uuid,
        page: PageRequest,
    ) -> RepositoryResult<(Vec<Order>, u64)> {
        let rows = sqlx::query_as!(
            OrderRow,
            r#"SELECT id, owner_id, status, items AS "items: Json<Vec<OrderItem>>", created_at
               FROM orders WHERE owner_id = $1
               ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
            owner_id,
            i64::from(page.per_page),
            page.offset(),
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        let total = sqlx::query_scalar!(
            r#"SELECT count(*) AS "total!" FROM orders WHERE owner_id = $1"#,
            owner_id
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        let orders = rows.into_iter().map(Order::try_from).collect::<Result<_, _>>()?;
        Ok((orders, u64::try_from(total).unwrap_or_default()))
    }

    async fn settle_all(&self, settlements: &[Settlement]) -> RepositoryResult<Vec<SettleOutcome>> {
        if settlements.is_empty() {
            return Ok(Vec::new());
        }
        // Orders are locked in id order, so that concurrent batches cannot deadlock.
        let mut by_order: Vec<usize> = (0..settlements.len()).collect();
        by_order.sort_by_key(|&index| settlements[index].order_id);
        let mut outcomes = vec![SettleOutcome::OrderMissing; settlements.len()];
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        for index in by_order {
            outcomes[index] = settle_one(&mut transaction, &settlements[index]).await?;
        }
        transaction.commit().await.map_err(map_error)?;
        Ok(outcomes)
    }
}

/// One settlement, as one statement inside the batch's transaction.
async fn settle_one(
    connection: &mut sqlx::PgConnection,
    settlement: &Settlement,
) -> RepositoryResult<SettleOutcome> {
    let row = sqlx::query!(
        r#"WITH target AS (SELECT status FROM orders WHERE id = $3),
               recorded AS (
                   INSERT INTO inbox (message_id, subject)
                   SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM target)
                   ON CONFLICT DO NOTHING
                   RETURNING message_id
               ),
               updated AS (
                   UPDATE orders SET status = $4, version = version + 1, updated_at = now()
                   WHERE id = $3 AND status = 'pending' AND EXISTS (SELECT 1 FROM recorded)
                   RETURNING id
               ),
               released AS (INSERT INTO reservation_releases (order_id, reason)
                   SELECT id, $5 FROM updated WHERE $4 = 'cancelled' ON CONFLICT DO NOTHING)
               SELECT (SELECT status FROM target) AS status,
                      EXISTS (SELECT 1 FROM recorded) AS "recorded!",
                      EXISTS (SELECT 1 FROM updated) AS "applied!""#,
        settlement.message_id,
        settlement.subject,
        settlement.order_id,
        settlement.status.as_str(),
        ReleaseReason::PaymentFailed.as_str(),
    )
    .fetch_one(&mut *connection)
    .await
    .map_err(map_error)?;
    Ok(outcome(row.status.as_deref(), row.recorded, row.applied))
}

/// What a settlement did, from what its statement reports.
fn outcome(status: Option<&str>, recorded: bool, applied: bool) -> SettleOutcome {
    match (status.and_then(OrderStatus::parse), recorded, applied) {
        (None, _, _) => SettleOutcome::OrderMissing,
        (Some(_), false, _) => SettleOutcome::AlreadyProcessed,
        (Some(_), true, true) => SettleOutcome::Applied,
        (Some(current), true, false) => SettleOutcome::AlreadySettled(current),
    }
}
