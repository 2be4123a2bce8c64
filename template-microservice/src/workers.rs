//! The background work of an instance: the outbox relay, the payment consumer, the
//! `orders.get` responder and the breaker watcher, and the order in which they stop.
//!
//! On shutdown the consumer stops pulling and finishes the messages in hand (acknowledged, or
//! left for redelivery, never half-done), the responder stops, and the relay publishes what is
//! committed until the deadline.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::messaging::Transport;
use crate::messaging::consumer::PaymentConsumer;
use crate::messaging::relay::Relay;
use crate::messaging::rpc::OrdersResponder;
use crate::telemetry;

/// What the workers are made of.
pub struct WorkerParts {
    /// The outbox relay, over an outbox whose pool only it uses.
    pub relay: Arc<Relay>,
    /// The payment consumer.
    pub consumer: Arc<PaymentConsumer>,
    /// The `orders.get` responder.
    pub responder: Arc<OrdersResponder>,
    /// The broker the responder listens on.
    pub transport: Arc<dyn Transport>,
    /// Logs breaker state changes until cancelled.
    pub watcher: JoinHandle<()>,
}

/// The running workers.
pub struct Workers {
    inbound_stop: CancellationToken,
    inbound: Vec<JoinHandle<()>>,
    relay: RelayThread,
    watcher: JoinHandle<()>,
}

impl Workers {
    /// Starts every worker.
    ///
    /// # Errors
    /// When the relay's thread cannot be started.
    pub fn spawn(parts: WorkerParts) -> std::io::Result<Self> {
        let inbound_stop = CancellationToken::new();
        let consumer = Arc::clone(&parts.consumer);
        let stop = inbound_stop.clone();
        let consuming = tokio::spawn(async move { consumer.run(stop).await });
        let (responder, transport, stop) = (parts.responder, parts.transport, inbound_stop.clone());
        let responding = tokio::spawn(async move {
            if let Err(error) = responder.run(transport.as_ref(), stop).await {
                telemetry::error("the orders.get responder stopped", &error);
            }
        });
        Ok(Self {
            inbound_stop,
            inbound: vec![consuming, responding],
            relay: RelayThread::spawn(parts.relay)?,
            watcher: parts.watcher,
        })
    }

    /// Stops taking new messages and requests; returns when those in hand are done.
    pub async fn stop_inbound(&mut self) {
        self.inbound_stop.cancel();
        for task in self.inbound.drain(..) {
            if let Err(error) = task.await {
                telemetry::error("a worker failed", &error);
            }
        }
    }

    /// Stops the relay after a last flush of committed events, bounded by `deadline`.
    pub async fn stop_relay(self, deadline: Instant) {
        self.relay.stop(deadline).await;
        self.watcher.abort();
    }
}

/// The relay on a thread and runtime of its own: its passes never wait in a queue behind the
/// request tasks of a busy runtime, so its lag under load stays that of one pass. It must be
/// given an outbox whose pool only it uses (connections belong to the runtime that opens them).
struct RelayThread {
    stop: CancellationToken,
    deadline: Arc<OnceLock<Instant>>,
    finished: oneshot::Receiver<()>,
}

impl RelayThread {
    fn spawn(relay: Arc<Relay>) -> std::io::Result<Self> {
        let (stop, deadline) = (CancellationToken::new(), Arc::new(OnceLock::new()));
        let (done, finished) = oneshot::channel();
        let (token, flush_by) = (stop.clone(), Arc::clone(&deadline));
        std::thread::Builder::new().name("outbox-relay".to_owned()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(relay_until_stopped(&relay, token, &flush_by)),
                Err(error) => telemetry::error("cannot start the relay's runtime", &error),
            }
            let _ = done.send(());
        })?;
        Ok(Self { stop, deadline, finished })
    }

    async fn stop(self, deadline: Instant) {
        let _ = self.deadline.set(deadline);
        self.stop.cancel();
        let _ = self.finished.await;
    }
}

/// Relays until `stop`, then flushes what is committed until the deadline set before it.
async fn relay_until_stopped(relay: &Relay, stop: CancellationToken, deadline: &OnceLock<Instant>) {
    relay.run(stop).await;
    relay.flush(deadline.get().copied().unwrap_or_else(Instant::now)).await;
}
