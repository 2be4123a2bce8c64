//! The outbox relay: publishes committed events to the broker, and marks each one sent only
//! after the broker acknowledged it.
//!
//! Each pass claims a batch (so relays on other instances take other rows), publishes it with
//! the event id as the message id (so the broker drops what an interrupted pass had already
//! published), and marks the acknowledged events sent. A pass that fails leaves its events
//! unsent, for the next pass. The relay wakes when this instance commits an event, and polls
//! for events written elsewhere.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use super::settings::RelaySettings;
use super::store::{Outbox, OutboxEvent, Signal, StoreError};
use super::transport::{OutgoingMessage, Transport, TransportError};

/// The header carrying an event's W3C trace context.
pub const TRACEPARENT: &str = "traceparent";
/// How often sent events older than the retention are deleted.
const PURGE_EVERY: Duration = Duration::from_mins(1);

/// Publishes the outbox.
pub struct Relay {
    outbox: Arc<dyn Outbox>,
    transport: Arc<dyn Transport>,
    signal: Signal,
    settings: RelaySettings,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Relay").field("settings", &self.settings).finish_non_exhaustive()
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Events claimed.
    pub claimed: usize,
    /// Events acknowledged by the broker and marked sent.
    pub sent: usize,
}

impl Relay {
    /// A relay from `outbox` to `transport`, woken by `signal`.
    #[must_use]
    pub fn new(
        outbox: Arc<dyn Outbox>,
        transport: Arc<dyn Transport>,
        signal: Signal,
        settings: RelaySettings,
    ) -> Self {
        Self { outbox, transport, signal, settings }
    }

    /// Relays until `stop` is cancelled.
    pub async fn run(&self, stop: CancellationToken) {
        let mut last_purge = Instant::now();
        while !stop.is_cancelled() {
            let pass = self.pass().await.unwrap_or_else(|error| {
                tracing::warn!(%error, "outbox relay pass failed");
                Pass::default()
            });
            if pass.claimed == self.settings.batch_size as usize && pass.sent == pass.claimed {
                continue;
            }
            if last_purge.elapsed() >= PURGE_EVERY {
                self.purge().await;
                last_purge = Instant::now();
            }
            self.idle(&stop).await;
        }
    }

    /// Waits for a commit of this instance, the poll interval, or the stop.
    async fn idle(&self, stop: &CancellationToken) {
        tokio::select! {
            () = stop.cancelled() => {}
            () = self.signal.notified() => {}
            () = tokio::time::sleep(self.settings.poll_interval) => {}
        }
    }

    /// Relays what is committed until nothing is left, a pass fails, or `deadline` passes:
    /// the last step of a graceful shutdown.
    pub async fn flush(&self, deadline: Instant) {
        while Instant::now() < deadline {
            match self.pass().await {
                Ok(pass) if pass.claimed > 0 && pass.sent == pass.claimed => {}
                Ok(_) => return,
                Err(error) => return tracing::warn!(%error, "final outbox pass failed"),
            }
        }
    }

    /// One batch: claim, publish, mark the acknowledged events sent.
    ///
    /// # Errors
    /// When the store fails; publication failures only leave events unsent.
    pub async fn pass(&self) -> Result<Pass, StoreError> {
        let claim = self.outbox.claim(self.settings.batch_size).await?;
        let events = claim.events();
        if events.is_empty() {
            return Ok(Pass::default());
        }
        let results = self.transport.publish(events.iter().map(outgoing).collect()).await;
        let sent: Vec<_> = events
            .iter()
            .zip(&results)
            .filter(|(_, result)| result.is_ok())
            .map(|(event, _)| event.id)
            .collect();
        report(&results);
        let pass = Pass { claimed: events.len(), sent: sent.len() };
        claim.mark_sent(&sent).await?;
        Ok(pass)
    }

    async fn purge(&self) {
        match self.outbox.purge_sent(self.settings.retention).await {
            Ok(0) => {}
            Ok(deleted) => tracing::debug!(deleted, "purged sent outbox events"),
            Err(error) => tracing::warn!(%error, "purging the outbox failed"),
        }
    }
}

fn outgoing(event: &OutboxEvent) -> OutgoingMessage {
    let headers = event.traceparent.iter().map(|value| (TRACEPARENT.to_owned(), value.clone()));
    OutgoingMessage {
        id: event.id.to_string(),
        subject: event.subject.clone(),
        headers: headers.collect(),
        payload: Bytes::copy_from_slice(&event.payload),
    }
}

/// Counts the publications, and logs those the broker did not acknowledge.
pub(super) fn report(results: &[Result<(), TransportError>]) {
    let failed = results.iter().filter(|result| result.is_err()).count();
    let sent = results.len() - failed;
    metrics::counter!("outbox_published_total").increment(sent as u64);
    if let Some(Err(error)) = results.iter().find(|result| result.is_err()) {
        metrics::counter!("outbox_publish_failures_total").increment(failed as u64);
        tracing::warn!(%error, failed, "events not acknowledged; they stay in the outbox");
    }
}
