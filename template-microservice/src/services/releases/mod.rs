//! The release worker: delivers the recorded releases of reservations to the inventory, and
//! cancels orders that stayed pending past `PENDING_ORDER_TTL_SECS` (recording their release).
//!
//! Each pass first expires old pending orders, then claims the due releases (leased, so that
//! workers on other instances take others) and calls the inventory for each one, at once. A
//! release whose order exists and is not cancelled is skipped: that order's commit did happen
//! (only its answer was lost), and its stock stays reserved. A failed call is tried again
//! after a delay that doubles per attempt, from the poll interval up to five minutes; the
//! circuit breaker of the inventory client makes failures fast while the inventory is down.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::ReleaseSignal;
use super::inventory::Inventory;
use crate::domain::trace::TraceContext;
use crate::repositories::{DueRelease, ReleaseQueue, RepositoryResult};

/// Most releases claimed, and orders expired, in one pass.
const BATCH: u32 = 32;

/// How long a claimed release is left to its worker (far more than one inventory call).
const LEASE: Duration = Duration::from_mins(2);

/// The longest delay between two attempts at one release.
const MAX_BACKOFF: Duration = Duration::from_mins(5);

/// How long orders may stay pending, and how the releases of their stock are delivered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReleaseConfig {
    /// Age at which a pending order is cancelled and its stock released
    /// (`PENDING_ORDER_TTL_SECS`, default 900).
    pub(crate) pending_ttl: Duration,
    /// Longest the release worker waits before looking for due releases and expired orders
    /// (`RELEASE_POLL_INTERVAL_MS`, default 1000); also the first retry delay, doubled per
    /// attempt up to five minutes.
    pub(crate) poll_interval: Duration,
}

/// Delivers releases and expires pending orders.
pub(crate) struct ReleaseWorker {
    queue: Arc<dyn ReleaseQueue>,
    inventory: Arc<dyn Inventory>,
    signal: ReleaseSignal,
    config: ReleaseConfig,
}

impl std::fmt::Debug for ReleaseWorker {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ReleaseWorker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ReleaseWorker {
    /// A worker over `queue`, calling `inventory`, woken by `signal`.
    #[must_use]
    pub(crate) fn new(
        queue: Arc<dyn ReleaseQueue>,
        inventory: Arc<dyn Inventory>,
        signal: ReleaseSignal,
        config: ReleaseConfig,
    ) -> Self {
        Self { queue, inventory, signal, config }
    }

    /// Works until `stop` is cancelled.
    pub(crate) async fn run(&self, stop: CancellationToken) {
        while !stop.is_cancelled() {
            let claimed = self.pass().await.unwrap_or_else(|error| {
                tracing::warn!(%error, "release pass failed");
                0
            });
            if claimed == BATCH as usize {
                continue;
            }
            tokio::select! {
                () = stop.cancelled() => {}
                () = self.signal.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    /// Expires old pending orders, then delivers the due releases; returns how many were
    /// claimed.
    ///
    /// # Errors
    /// When the database fails.
    pub(crate) async fn pass(&self) -> RepositoryResult<usize> {
        let expired = self.queue.expire_pending(self.config.pending_ttl, BATCH).await?;
        if expired > 0 {
            metrics::counter!("orders_expired_total").increment(expired);
        }
        let due = self.queue.claim_due(BATCH, LEASE).await?;
        futures_util::future::join_all(due.iter().map(|release| self.deliver(release))).await;
        Ok(due.len())
    }

    async fn deliver(&self, release: &DueRelease) {
        let result = if release.moot {
            tracing::info!("a release is moot: its order was stored after all");
            self.queue.mark_done(release.order_id).await
        } else {
            let trace = TraceContext::from_header(release.traceparent.as_deref()).child();
            match self.inventory.release(release.order_id, trace).await {
                Ok(()) => {
                    metrics::counter!("reservation_releases_total").increment(1);
                    self.queue.mark_done(release.order_id).await
                }
                Err(error) => {
                    tracing::warn!(%error, "a release failed; it will be tried again");
                    let delay = self.backoff(release.attempts);
                    self.queue.retry_later(release.order_id, delay).await
                }
            }
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cannot record the outcome of a release");
        }
    }

    /// The delay after attempt `attempts` (from 1): the poll interval, doubled per attempt.
    fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempts.saturating_sub(1).min(20));
        self.config.poll_interval.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

#[cfg(test)]
mod tests;
