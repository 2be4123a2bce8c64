//! `AppState`: everything a handler can reach, wired once at startup and cloned per request;
//! the connection limit; and the shutdown signal that every connection watches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::TokenVerifier;
use crate::config::Limits;
use crate::hub::Outbox;
use crate::rooms::Rooms;
use crate::tickets::Tickets;

/// Shared application state. Cloning is cheap: every field is reference-counted or small.
#[derive(Clone)]
pub struct AppState {
    /// Joining, leaving, publishing and presence.
    pub rooms: Arc<Rooms>,
    /// Access-token verification.
    pub verifier: Arc<TokenVerifier>,
    /// Single-use SSE tickets.
    pub tickets: Arc<Tickets>,
    /// Connection and message limits.
    pub limits: Limits,
    /// Open WebSocket and SSE connections.
    pub connections: ConnectionLimit,
    /// Whether shutdown has begun, and the connections to wait for.
    pub shutdown: Shutdown,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

/// The transport of a long-lived connection, as a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `GET /ws`.
    WebSocket,
    /// `GET /rooms/{room}/events`.
    Sse,
}

impl Transport {
    fn label(self) -> &'static str {
        match self {
            Self::WebSocket => "websocket",
            Self::Sse => "sse",
        }
    }
}

/// Caps the long-lived connections of this node.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    open: Arc<AtomicUsize>,
    max: usize,
}

impl ConnectionLimit {
    /// A limit of `max` open connections.
    #[must_use]
    pub fn new(max: usize) -> Self {
        Self { open: Arc::new(AtomicUsize::new(0)), max }
    }

    /// A slot for one more connection, or `None` when the node is full.
    #[must_use]
    pub fn try_acquire(&self, transport: Transport) -> Option<ConnectionPermit> {
        let acquired = self.open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
            (open < self.max).then_some(open + 1)
        });
        acquired.ok()?;
        metrics::gauge!("realtime_connections", "transport" => transport.label()).increment(1);
        Some(ConnectionPermit { open: self.open.clone(), transport })
    }

    /// How many connections are open.
    #[must_use]
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }
}

/// One open connection; the slot is freed when it drops.
#[derive(Debug)]
pub struct ConnectionPermit {
    open: Arc<AtomicUsize>,
    transport: Transport,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
        metrics::gauge!("realtime_connections", "transport" => self.transport.label()).decrement(1);
    }
}

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
    pub fn watch(&self, id: u64, outbox: &Arc<Outbox>) -> Watched {
        self.outboxes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::downgrade(outbox));
        if self.is_draining() {
            outbox.close();
        }
        Watched { outboxes: self.outboxes.clone(), id }
    }

    /// Whether shutdown has begun.
    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Resolves when shutdown begins.
    pub async fn cancelled(&self) {
        self.token.cancelled().await;
    }

    /// Tracks the connections that shutdown waits for.
    #[must_use]
    pub fn tracker(&self) -> &TaskTracker {
        &self.tracker
    }
}

/// A connection's outbox, watched for shutdown until this drops.
#[derive(Debug)]
pub struct Watched {
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

    #[test]
    fn the_limit_counts_and_frees_slots() {
        let limit = ConnectionLimit::new(2);
        let first = limit.try_acquire(Transport::WebSocket).unwrap();
        let _second = limit.try_acquire(Transport::Sse).unwrap();
        assert!(limit.try_acquire(Transport::WebSocket).is_none());
        assert_eq!(limit.open(), 2);
        drop(first);
        assert!(limit.try_acquire(Transport::WebSocket).is_some());
    }

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
