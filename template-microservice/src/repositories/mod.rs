//! The only module that knows SQL. Services see it through the traits below; driver errors
//! become [`RepositoryError`].
//!
//! - [`orders`]: orders, written with their outbox event in one transaction, and payments
//!   settled with their inbox row in one transaction.
//! - `outbox`: the outbox module's [`crate::outbox::Outbox`] in PostgreSQL: claiming unsent
//!   events (`FOR UPDATE SKIP LOCKED`) and marking them sent.
//! - [`pool`]: the pool, migrations, and the health probe.
//! - `releases`: the reservations to release at the inventory, and expired orders.

pub mod orders;
pub(crate) mod outbox;
pub mod pool;
pub(crate) mod releases;

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::order::{Order, OrderStatus};
use crate::domain::page::PageRequest;
use crate::outbox::StoreError;

/// The event an order writes with it, in the same transaction: the outbox module's.
pub use crate::outbox::OutboxEvent;

/// A boxed error from the driver.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The database cannot be reached or is overloaded: retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or corrupt data.
    #[error("database error: {0}")]
    Other(#[source] BoxError),
}

/// Shorthand for repository results.
pub type RepositoryResult<T> = Result<T, RepositoryError>;

impl From<RepositoryError> for StoreError {
    fn from(error: RepositoryError) -> Self {
        Self::new(error)
    }
}

/// Why a reservation is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseReason {
    /// The order's commit failed after its stock was reserved.
    CommitFailed,
    /// The order's payment failed.
    PaymentFailed,
    /// The order stayed pending past its time to live.
    Expired,
}

impl ReleaseReason {
    /// The stored form.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::CommitFailed => "commit_failed",
            Self::PaymentFailed => "payment_failed",
            Self::Expired => "expired",
        }
    }
}

/// A reservation to release at the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The order whose stock was reserved.
    pub(crate) order_id: Uuid,
    pub(crate) reason: ReleaseReason,
    /// The W3C trace context of the request that caused it, if any.
    pub(crate) traceparent: Option<String>,
}

/// A release whose time has come, claimed for a while by one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DueRelease {
    /// The order whose stock was reserved.
    pub(crate) order_id: Uuid,
    /// Attempts so far, this one included.
    pub(crate) attempts: u32,
    /// The trace context it was recorded with.
    pub(crate) traceparent: Option<String>,
    /// Whether the order exists and is not cancelled: its commit did succeed (only its
    /// answer was lost), so its stock must stay reserved.
    pub(crate) moot: bool,
}

/// A payment to settle, exactly once per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The envelope id of the message: the inbox key.
    pub message_id: Uuid,
    /// The subject it came on.
    pub subject: String,
    /// The order concerned.
    pub order_id: Uuid,
    /// The status the order moves to.
    pub status: OrderStatus,
}

/// What settling did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettleOutcome {
    /// The order moved to the new status.
    Applied,
    /// This message was processed before: nothing changed.
    AlreadyProcessed,
    /// The order had already settled (to this status): the message is recorded, nothing else.
    AlreadySettled(OrderStatus),
    /// No such order (yet): nothing was recorded, so a redelivery can try again.
    OrderMissing,
}

/// Orders, their events and their settlements.
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Stores `order` and `event` in one transaction.
    async fn create(&self, order: &Order, event: &OutboxEvent) -> RepositoryResult<()>;
    /// Records that a reservation must be released (once per order).
    async fn record_release(&self, release: &Release) -> RepositoryResult<()>;
    /// The order with this id.
    async fn find(&self, id: Uuid) -> RepositoryResult<Option<Order>>;
    /// One page of an owner's orders, newest first, and the owner's total.
    async fn list_by_owner(
        &self,
        owner_id: Uuid,
        page: PageRequest,
    ) -> RepositoryResult<(Vec<Order>, u64)>;
    /// For each settlement, records the message in the inbox and applies its effect; all of
    /// them in one transaction. Returns the outcomes in the order given.
    async fn settle_all(&self, settlements: &[Settlement]) -> RepositoryResult<Vec<SettleOutcome>>;

    /// [`OrderRepository::settle_all`] for one settlement.
    async fn settle(&self, settlement: &Settlement) -> RepositoryResult<SettleOutcome> {
        let outcomes = self.settle_all(std::slice::from_ref(settlement)).await?;
        Ok(outcomes.first().copied().unwrap_or(SettleOutcome::OrderMissing))
    }
}

/// The reservations to release, as the release worker sees them.
#[async_trait]
pub(crate) trait ReleaseQueue: Send + Sync {
    /// Cancels up to `limit` orders pending for longer than `ttl`, recording the release of
    /// their stock in the same statement; returns how many.
    async fn expire_pending(&self, ttl: Duration, limit: u32) -> RepositoryResult<u64>;
    /// Up to `limit` due releases, each leased for `lease` (another worker takes it after
    /// that, if this one never reports) with its attempt counted.
    async fn claim_due(&self, limit: u32, lease: Duration) -> RepositoryResult<Vec<DueRelease>>;
    /// The release of `order_id` is done.
    async fn mark_done(&self, order_id: Uuid) -> RepositoryResult<()>;
    /// The release of `order_id` failed: try again after `delay`.
    async fn retry_later(&self, order_id: Uuid, delay: Duration) -> RepositoryResult<()>;
}

/// A probe of the database, for readiness.
#[async_trait]
pub(crate) trait HealthCheck: Send + Sync {
    /// Succeeds when the database answers.
    async fn ping(&self) -> RepositoryResult<()>;
}
