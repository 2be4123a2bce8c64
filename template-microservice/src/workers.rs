//! The background work of an instance: the outbox relay, the payment consumer, the
//! `orders.get` responder, the release worker and the breaker watcher, and the order in which
//! they stop (the release worker stops with the inbound work: what it leaves is in the
//! database, for the next instance).
//!
//! On shutdown the consumer stops pulling and finishes the messages in hand (acknowledged, or
//! left for redelivery, never half-done), the responder stops, and the relay publishes what is
//! committed until the deadline.

use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::messaging::Broker;
use crate::messaging::consumer::PaymentConsumer;
use crate::messaging::rpc::OrdersResponder;
use crate::outbox::Relay;
use crate::services::releases::ReleaseWorker;

/// What the workers are made of.
pub(crate) struct WorkerParts {
    pub(crate) relay: Arc<Relay>,
    pub(crate) consumer: Arc<PaymentConsumer>,
    /// The `orders.get` responder.
    pub(crate) responder: Arc<OrdersResponder>,
    /// The broker the responder listens on.
    pub(crate) transport: Arc<dyn Broker>,
    /// Delivers the releases of reservations, and expires pending orders.
    pub(crate) releases: Arc<ReleaseWorker>,
    /// Logs breaker state changes; aborted last, when the relay has stopped.
    pub(crate) watcher: JoinHandle<()>,
}

/// The running workers.
pub(crate) struct Workers {
    relay: Arc<Relay>,
    inbound_stop: CancellationToken,
    relay_stop: CancellationToken,
    inbound: Vec<JoinHandle<()>>,
    relay_task: JoinHandle<()>,
    watcher: JoinHandle<()>,
}

impl Workers {
    /// Starts every worker.
    #[must_use]
    pub(crate) fn spawn(parts: WorkerParts) -> Self {
        let inbound_stop = CancellationToken::new();
        let relay_stop = CancellationToken::new();
        let consumer = Arc::clone(&parts.consumer);
        let stop = inbound_stop.clone();
        let consuming = tokio::spawn(async move { consumer.run(stop).await });
        let (responder, transport, stop) = (parts.responder, parts.transport, inbound_stop.clone());
        let responding = tokio::spawn(async move {
            if let Err(error) = responder.run(transport.as_ref(), stop).await {
                tracing::error!(%error, "the orders.get responder stopped");
            }
        });
        let (releases, stop) = (parts.releases, inbound_stop.clone());
        let releasing = tokio::spawn(async move { releases.run(stop).await });
        let relay = Arc::clone(&parts.relay);
        let stop = relay_stop.clone();
        let relay_task = tokio::spawn(async move { relay.run(stop).await });
        Self {
            relay: parts.relay,
            inbound_stop,
            relay_stop,
            inbound: vec![consuming, responding, releasing],
            relay_task,
            watcher: parts.watcher,
        }
    }

    /// Stops taking new messages and requests, at once; those in hand go on.
    pub(crate) fn stop_pulling(&self) {
        self.inbound_stop.cancel();
    }

    /// Stops taking new messages and requests; returns when those in hand are done.
    pub(crate) async fn stop_inbound(&mut self) {
        self.inbound_stop.cancel();
        for task in self.inbound.drain(..) {
            if let Err(error) = task.await {
                tracing::error!(%error, "a worker failed");
            }
        }
    }

    /// Stops the relay after a last flush of committed events, bounded by `deadline`.
    pub(crate) async fn stop_relay(self, deadline: Instant) {
        self.relay_stop.cancel();
        if let Err(error) = self.relay_task.await {
            tracing::error!(%error, "the relay failed");
        }
        self.relay.flush(deadline).await;
        self.watcher.abort();
    }
}
