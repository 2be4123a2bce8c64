//! The cap on this node's long-lived connections (WebSocket and SSE), and the permit each
//! open connection holds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The transport of a long-lived connection, as a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
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
    #[must_use]
    pub(crate) fn new(max: usize) -> Self {
        Self { open: Arc::new(AtomicUsize::new(0)), max }
    }

    /// A slot for one more connection, or `None` when the node is full.
    #[must_use]
    pub(crate) fn try_acquire(&self, transport: Transport) -> Option<ConnectionPermit> {
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
pub(crate) struct ConnectionPermit {
    open: Arc<AtomicUsize>,
    transport: Transport,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
        metrics::gauge!("realtime_connections", "transport" => self.transport.label()).decrement(1);
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
}
