//! What the relay needs of the database: the [`Outbox`] table, claimed in batches, and the
//! [`Signal`] that wakes the relay when this instance commits an event.
//!
//! An implementation writes each [`OutboxEvent`] in the transaction of its cause (so an event
//! exists only if its cause committed), and [`Outbox::claim`] locks rows so that relays of
//! other instances take other rows (PostgreSQL: `FOR UPDATE SKIP LOCKED` in a transaction
//! held until [`OutboxClaim::mark_sent`]).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use uuid::Uuid;

/// A boxed error from the store's driver.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A failure of the outbox store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub BoxError);

impl StoreError {
    /// An error from anything that converts to a boxed error (a driver's error, a string).
    pub fn new(error: impl Into<BoxError>) -> Self {
        Self(error.into())
    }
}

/// An event to store in the outbox, in the same transaction as its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// The event id: the message id the broker deduplicates on.
    pub id: Uuid,
    /// Where it is published.
    pub subject: String,
    /// The serialised event.
    pub payload: Vec<u8>,
    /// The W3C trace context of the transaction that wrote it, sent as `traceparent`.
    pub traceparent: Option<String>,
}

/// The outbox as the relay sees it.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Locks up to `limit` unsent events, oldest first, skipping those another relay holds.
    async fn claim(&self, limit: u32) -> Result<Box<dyn OutboxClaim>, StoreError>;
    /// How many events wait, and the age of the oldest.
    async fn backlog(&self) -> Result<Backlog, StoreError>;
    /// Deletes events sent longer ago than `age`; returns how many.
    async fn purge_sent(&self, age: Duration) -> Result<u64, StoreError>;
}

/// Events locked by one relay. Dropping the claim releases them unsent.
#[async_trait]
pub trait OutboxClaim: Send {
    /// The claimed events, oldest first.
    fn events(&self) -> &[OutboxEvent];
    /// Marks `ids` sent and releases the claim.
    async fn mark_sent(self: Box<Self>, ids: &[Uuid]) -> Result<(), StoreError>;
}

/// The unsent part of the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Backlog {
    /// Unsent events.
    pub depth: u64,
    /// Seconds since the oldest unsent event was written (0 when none).
    pub oldest_age_secs: f64,
}

/// Wakes the relay when a transaction has committed an event, so that events leave at once
/// instead of at the next poll.
#[derive(Debug, Clone, Default)]
pub struct Signal {
    notify: Arc<Notify>,
}

impl Signal {
    /// Says that new events are committed.
    pub fn notify(&self) {
        self.notify.notify_one();
    }

    /// Waits until [`Signal::notify`] is called (or returns at once if it was called since
    /// the last wait).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}
