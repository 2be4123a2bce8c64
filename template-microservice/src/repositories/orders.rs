//! Orders in PostgreSQL: each one written with its outbox event in one transaction, and each
//! payment settled together with its inbox row, so that a redelivered message has no second
//! effect.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use super::pool::map_error;
use super::{
    OrderRepository, OutboxEvent, RepositoryError, RepositoryResult, SettleOutcome, Settlement,
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
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        sqlx::query!(
            "INSERT INTO orders (id, owner_id, status, items, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
            order.id,
            order.owner_id,
            order.status.as_str(),
            Json(&order.items) as _,
            order.created_at,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        sqlx::query!(
            "INSERT INTO outbox (id, subject, payload, traceparent) VALUES ($1, $2, $3, $4)",
            event.id,
            event.subject,
            event.payload,
            event.traceparent,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)
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

    async fn settle(&self, settlement: &Settlement) -> RepositoryResult<SettleOutcome> {
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        let recorded = sqlx::query!(
            "INSERT INTO inbox (message_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            settlement.message_id,
            settlement.subject,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        if recorded.rows_affected() == 0 {
            return Ok(SettleOutcome::AlreadyProcessed);
        }
        let outcome = apply(&mut transaction, settlement).await?;
        if outcome == SettleOutcome::OrderMissing {
            // Rolling back forgets the inbox row, so that a redelivery can try again.
            return Ok(outcome);
        }
        transaction.commit().await.map_err(map_error)?;
        Ok(outcome)
    }
}

/// The effect of a settlement, inside its transaction: only a pending order moves.
async fn apply(
    transaction: &mut sqlx::PgConnection,
    settlement: &Settlement,
) -> RepositoryResult<SettleOutcome> {
    let current = sqlx::query_scalar!(
        "SELECT status FROM orders WHERE id = $1 FOR UPDATE",
        settlement.order_id
    )
    .fetch_optional(&mut *transaction)
    .await
    .map_err(map_error)?;
    let Some(current) = current.as_deref().and_then(OrderStatus::parse) else {
        return Ok(SettleOutcome::OrderMissing);
    };
    if !current.can_become(settlement.status) {
        return Ok(SettleOutcome::AlreadySettled(current));
    }
    sqlx::query!(
        "UPDATE orders SET status = $2, version = version + 1, updated_at = now() WHERE id = $1",
        settlement.order_id,
        settlement.status.as_str(),
    )
    .execute(&mut *transaction)
    .await
    .map_err(map_error)?;
    Ok(SettleOutcome::Applied)
}
