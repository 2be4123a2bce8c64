//! What the order service needs from the inventory service: a stock reservation, and its
//! release when the order will never be paid.
//!
//! `outbound::inventory` implements it over HTTP behind timeout, retry and a circuit breaker;
//! unit tests use fakes.

use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::order::OrderItem;
use crate::domain::trace::TraceContext;

/// A request to hold stock for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// The order the stock is for; also the idempotency key of the request.
    pub(crate) order_id: Uuid,
    /// What to reserve.
    pub(crate) items: Vec<OrderItem>,
}

/// Why a reservation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// Some item is out of stock.
    #[error("out of stock")]
    OutOfStock,
    /// The circuit breaker is open: the call was not even tried.
    #[error("the inventory circuit is open")]
    CircuitOpen {
        /// When it is worth trying again.
        retry_after: Duration,
    },
    /// The inventory service failed, timed out or could not be reached, after retries.
    #[error("inventory failed: {0}")]
    Failed(String),
}

/// The inventory service.
#[async_trait]
pub trait Inventory: Send + Sync {
    /// Reserves stock, carrying the trace context to the inventory service.
    async fn reserve(
        &self,
        reservation: &Reservation,
        trace: TraceContext,
    ) -> Result<(), InventoryError>;

    /// Releases the stock reserved for `order_id`. Idempotent: releasing what is not (or no
    /// longer) reserved succeeds.
    async fn release(&self, order_id: Uuid, trace: TraceContext) -> Result<(), InventoryError>;
}
