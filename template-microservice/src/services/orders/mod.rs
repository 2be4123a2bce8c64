//! Orders: placing one (reserve stock, then store the order and its `order.created` event in
//! one transaction), reading them (owners see only their own), and settling payments.
//!
//! When the commit fails after the stock was reserved, the reservation is released: the
//! release is recorded in the database (the worker of `super::releases` delivers it, again
//! and again until the inventory answers); if even that write fails, the inventory is called
//! at once. That last resort cannot tell a commit that failed from one whose answer was lost
//! with the connection; a recorded release can (the worker skips orders that exist).

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::inventory::{Inventory, InventoryError, Reservation};
use super::{OutboxSignal, ReleaseSignal};
use crate::domain::event::{Envelope, ORDER_CREATED_SUBJECT, PaymentEvent};
use crate::domain::order::{MAX_ITEMS, Order, OrderItem, OrderStatus};
use crate::domain::page::{Page, PageMeta, PageRequest};
use crate::domain::trace::TraceContext;
use crate::error::{AppError, AppResult, FieldError};
use crate::repositories::{
    OrderRepository, OutboxEvent, Release, ReleaseReason, RepositoryResult, SettleOutcome,
    Settlement,
};

/// How long clients wait after an inventory failure that the breaker has not (yet) caught.
const INVENTORY_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The rules of orders.
pub struct OrderService {
    orders: Arc<dyn OrderRepository>,
    inventory: Arc<dyn Inventory>,
    outbox: OutboxSignal,
    releases: ReleaseSignal,
}

impl std::fmt::Debug for OrderService {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("OrderService").finish_non_exhaustive()
    }
}

impl OrderService {
    /// The service over its collaborators; `outbox` and `releases` wake the relay and the
    /// release worker.
    #[must_use]
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        inventory: Arc<dyn Inventory>,
        outbox: OutboxSignal,
        releases: ReleaseSignal,
    ) -> Self {
        Self { orders, inventory, outbox, releases }
    }

    /// Places an order for `owner_id`: validates it, reserves the stock, then stores the order
    /// and its `order.created` event together.
    ///
    /// # Errors
    /// 422 for invalid items, 409 when out of stock (nothing stored), 503 when the inventory
    /// is unavailable or its circuit is open; when the order cannot be stored, the error of
    /// the database, after the reservation's release was recorded or attempted.
    pub(crate) async fn place(
        &self,
        owner_id: Uuid,
        items: Vec<OrderItem>,
        trace: TraceContext,
    ) -> AppResult<Order> {
        validate(&items)?;
        let order = Order::new(owner_id, items);
        let reservation = Reservation { order_id: order.id, items: order.items.clone() };
        let event = outbox_event(&order, trace)?;
        self.inventory.reserve(&reservation, trace).await.map_err(reservation_error)?;
        if let Err(error) = self.orders.create(&order, &event).await {
            self.compensate(order.id, trace).await;
            return Err(error.into());
        }
        self.outbox.notify();
        Ok(order)
    }

    /// Releases the reservation of an order that could not be stored: through the release
    /// outbox, or, when the database cannot even record it, by a call right now.
    async fn compensate(&self, order_id: Uuid, trace: TraceContext) {
        let reason = ReleaseReason::CommitFailed;
        let release = Release { order_id, reason, traceparent: Some(trace.to_string()) };
        let Err(error) = self.orders.record_release(&release).await else {
            return self.releases.notify();
        };
        tracing::warn!(%error, "cannot record a release: calling the inventory now");
        if let Err(error) = self.inventory.release(order_id, trace).await {
            metrics::counter!("reservation_releases_lost_total").increment(1);
            tracing::error!(%error, "a reservation could not be released: the inventory keeps it");
        }
    }

    /// The order `id` if `owner_id` placed it; someone else's order is a 404.
    ///
    /// # Errors
    /// 404 when missing or not the caller's.
    pub(crate) async fn get(&self, owner_id: Uuid, id: Uuid) -> AppResult<Order> {
        match self.orders.find(id).await? {
            Some(order) if order.owner_id == owner_id => Ok(order),
            _ => Err(AppError::NotFound("no such order")),
        }
    }

    /// The order `id`, whoever placed it: for other services (`orders.get`).
    ///
    /// # Errors
    /// When the database fails.
    pub(crate) async fn find(&self, id: Uuid) -> RepositoryResult<Option<Order>> {
        self.orders.find(id).await
    }

    /// One page of the owner's orders, newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub(crate) async fn list(&self, owner_id: Uuid, page: PageRequest) -> AppResult<Page<Order>> {
        let (data, total) = self.orders.list_by_owner(owner_id, page).await?;
        let meta = PageMeta { page: page.page, per_page: page.per_page, total };
        Ok(Page { data, meta })
    }

    /// Applies payment events, each exactly once per message id, in one transaction; returns
    /// the outcomes in the order given.
    ///
    /// # Errors
    /// When the database fails: then none is applied.
    pub(crate) async fn settle_all(
        &self,
        payments: &[Payment],
    ) -> RepositoryResult<Vec<SettleOutcome>> {
        let settlements: Vec<Settlement> = payments.iter().map(Payment::settlement).collect();
        self.orders.settle_all(&settlements).await
    }
}

/// A payment event as received: the message id is the inbox key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The envelope id.
    pub(crate) message_id: Uuid,
    /// The subject it came on.
    pub(crate) subject: String,
    pub(crate) event: PaymentEvent,
}

impl Payment {
    fn settlement(&self) -> Settlement {
        let status = match self.event {
            PaymentEvent::Completed { .. } => OrderStatus::Paid,
            PaymentEvent::Failed { .. } => OrderStatus::Cancelled,
        };
        Settlement {
            message_id: self.message_id,
            subject: self.subject.clone(),
            order_id: self.event.order_id(),
            status,
        }
    }
}

fn validate(items: &[OrderItem]) -> AppResult<()> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(AppError::invalid("items", format!("must hold 1 to {MAX_ITEMS} items")));
    }
    let errors: Vec<FieldError> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| item.problem().map(|problem| (index, problem)))
        .map(|(index, (field, message))| FieldError {
            field: format!("items[{index}].{field}"),
            message,
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

fn reservation_error(error: InventoryError) -> AppError {
    match error {
        InventoryError::OutOfStock => AppError::Conflict("some items are out of stock"),
        InventoryError::CircuitOpen { retry_after } => {
            AppError::Unavailable { detail: "the inventory service is unavailable", retry_after }
        }
        InventoryError::Failed(reason) => {
            tracing::warn!(%reason, "inventory reservation failed");
            AppError::Unavailable {
                detail: "the inventory service is unavailable",
                retry_after: INVENTORY_RETRY_AFTER,
            }
        }
    }
}

fn outbox_event(order: &Order, trace: TraceContext) -> AppResult<OutboxEvent> {
    let envelope = Envelope::order_created(order);
    let payload =
        serde_json::to_vec(&envelope).map_err(|error| AppError::Internal(error.into()))?;
    Ok(OutboxEvent {
        id: envelope.id,
        subject: ORDER_CREATED_SUBJECT.to_owned(),
        payload,
        traceparent: Some(trace.to_string()),
    })
}

#[cfg(test)]
mod tests;
