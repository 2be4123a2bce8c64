//! The shutdown signal that every connection watches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::rooms::Outbox;

/// The outboxes of the open connections, by member id.
type Outboxes = Mutex<HashMap<u64, Weak<Outbox>>>;

/// Set once when shutdown begins: readiness turns 503, upgrades are refused, and every
/// connection is told to close, through its own outbox (a token shared by 10,000 connections
/// would be a lock they all take on every wake-up).
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    draining: Arc<AtomicBool>,
    token: CancellationToken,
    tracker: TaskTracker,
    outboxes: Arc<Outboxes>,
}

impl Shutdown {
    /// Marks the service as shutting down and tells every connection to close.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.token.cancel();
        self.tracker.close();
        let outboxes = self.outboxes.lock().unwrap_or_else(PoisonError::into_inner);
        outboxes.values().filter_map(Weak::upgrade).for_each(|outbox| outbox.close());
    }

    /// Closes `outbox` when shutdown begins (at once if it has), until the guard drops.
    #[must_use]
    pub(crate) fn watch(&self, id: u64, outbox: &Arc<Outbox>) -> Watched {
        self.outboxes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::downgrade(outbox));
        if self.is_draining() {
            outbox.close();
        }
        Watched { outboxes: self.outboxes.clone(), id }
    }

    #[must_use]
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Resolves when shutdown begins.
    pub(crate) async fn cancelled(&self) {
        self.token.cancelled().await;
    }

    /// Tracks the connections that shutdown waits for.
    #[must_use]
    pub(crate) fn tracker(&self) -> &TaskTracker {
        &self.tracker
    }
}

/// A connection's outbox, watched for shutdown until this drops.
#[derive(Debug)]
pub(crate) struct Watched {
    outboxes: Arc<Outboxes>,
    id: u64,
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.outboxes.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn draining_cancels_every_watcher() {
        let shutdown = Shutdown::default();
        assert!(!shutdown.is_draining());
        let watcher = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.cancelled().await }
        });
        let (early, late) = (Arc::new(Outbox::new(1)), Arc::new(Outbox::new(1)));
        let _early = shutdown.watch(1, &early);
        shutdown.start_draining();
        watcher.await.unwrap();
        assert!(shutdown.is_draining() && shutdown.tracker().is_closed());
        let _late = shutdown.watch(2, &late);
        assert!(early.is_closed() && late.is_closed());
    }
}
