//! The business rules. Services speak in [`crate::domain`] types and [`crate::error::AppError`],
//! and reach the outside world only through traits: repositories, [`inventory::Inventory`].
//!
//! - [`orders`]: placing, reading and settling orders.
//! - [`inventory`]: what the service needs from the inventory service.
//! - [`rate_limit`]: the per-user limit on placing orders.
//! - [`releases`]: delivering the releases of reservations, and expiring pending orders.
//! - [`tokens`]: access-token verification.

pub mod inventory;
pub mod orders;
pub mod rate_limit;
pub mod releases;
pub mod tokens;

use std::sync::Arc;

use tokio::sync::Notify;

/// Wakes the outbox relay when a transaction has committed an event, so that events leave at
/// once instead of at the next poll.
#[derive(Debug, Clone, Default)]
pub struct OutboxSignal {
    notify: Arc<Notify>,
}

impl OutboxSignal {
    /// Says that new events are committed.
    pub fn notify(&self) {
        self.notify.notify_one();
    }

    /// Waits until [`OutboxSignal::notify`] is called (or returns at once if it was called
    /// since the last wait).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}

/// Wakes the release worker when a release is recorded outside its own passes.
pub type ReleaseSignal = OutboxSignal;
