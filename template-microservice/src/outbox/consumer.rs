//! The idempotent consumer: pulls deliveries, has the [`Inbox`] apply them, and settles each:
//!
//! - applied, or seen before (the inbox already holds its id): acknowledged;
//! - a failure that may pass (database down, a row not visible yet): retried after an
//!   exponential delay, until the delivery reaches [`ConsumerSettings::max_deliver`];
//! - a failure that will not pass (the inbox cannot decode it), or a retry limit reached:
//!   published to `<dead_letter_prefix><subject>` with the reason, then rejected.
//!
//! The inbox records each message id together with its effect, so a crash between that
//! commit and the acknowledgement only causes a redelivery, which the inbox turns into a no-op.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::settings::ConsumerSettings;
use super::transport::{Delivery, OutgoingMessage, Transport};

/// The header carrying why a message was dead-lettered.
pub const DEAD_LETTER_REASON: &str = "Dead-Letter-Reason";
/// The header carrying how many deliveries a dead letter had.
pub const DEAD_LETTER_ATTEMPTS: &str = "Dead-Letter-Attempts";

/// Applies messages exactly once: the app's side of the consumer.
#[async_trait]
pub trait Inbox: Send + Sync + 'static {
    /// A delivery, decoded.
    type Message: Send + Sync;
    /// What applying a message did, as [`Disposition::Done`] reports it.
    type Outcome: Send + std::fmt::Debug;

    /// The message a delivery carries, or why it never will be one (it is then
    /// dead-lettered at once).
    ///
    /// # Errors
    /// The reason, for the `Dead-Letter-Reason` header.
    fn decode(&self, delivery: &Delivery) -> Result<Self::Message, String>;

    /// Records each message's id in the inbox and applies its effect, all in one transaction;
    /// a message whose id is already recorded changes nothing. Returns, in order, each
    /// message's outcome, or why it should be retried.
    ///
    /// # Errors
    /// When the whole batch failed (the database is down): every message is retried.
    async fn apply_all(
        &self,
        messages: &[Self::Message],
    ) -> Result<Vec<Result<Self::Outcome, String>>, String>;

    /// The span a delivery is handled and settled in; override it to link the delivery's
    /// trace context.
    fn span(&self, delivery: &Delivery) -> tracing::Span {
        tracing::info_span!("message", subject = %delivery.subject, attempt = delivery.attempt)
    }
}

/// What to do with a delivery once processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition<O> {
    /// Processed (now or before): acknowledge.
    Done(O),
    /// Failed, but may succeed later.
    Retry(String),
    /// Will never succeed: dead-letter it.
    DeadLetter(String),
}

/// Consumes a durable subscription through an [`Inbox`].
pub struct Consumer<I> {
    transport: Arc<dyn Transport>,
    inbox: Arc<I>,
    settings: ConsumerSettings,
}

impl<I> std::fmt::Debug for Consumer<I> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let settings = &self.settings;
        formatter.debug_struct("Consumer").field("settings", settings).finish_non_exhaustive()
    }
}

impl<I: Inbox> Consumer<I> {
    /// A consumer of `transport`'s subscription, applying messages through `inbox`.
    #[must_use]
    pub fn new(transport: Arc<dyn Transport>, inbox: Arc<I>, settings: ConsumerSettings) -> Self {
        Self { transport, inbox, settings }
    }

    /// Pulls and handles messages until `stop` is cancelled; then finishes the messages in
    /// hand and returns. Pulled messages not yet started are left for redelivery.
    pub async fn run(&self, stop: CancellationToken) {
        let settings = &self.settings;
        while !stop.is_cancelled() {
            let pulled = tokio::select! {
                () = stop.cancelled() => break,
                pulled = self.transport.pull(settings.batch_size, settings.pull_wait) => pulled,
            };
            let Ok(deliveries) = pulled.inspect_err(|error| tracing::warn!(%error, "pull failed"))
            else {
                tokio::time::sleep(settings.backoff_initial).await;
                continue;
            };
            deliveries
                .take_until(stop.clone().cancelled_owned())
                .ready_chunks(settings.transaction_size.max(1))
                .for_each_concurrent(settings.concurrency, |batch| self.handle_all(batch))
                .await;
        }
    }

    /// Processes deliveries together (their effects in one transaction), then settles each in
    /// the span [`Inbox::span`] gives it.
    pub async fn handle_all(&self, deliveries: Vec<Delivery>) {
        let dispositions = self.process_all(&deliveries).await;
        let settling = deliveries.into_iter().zip(dispositions).map(|(delivery, disposition)| {
            let span = self.inbox.span(&delivery);
            self.settle(delivery, disposition).instrument(span)
        });
        futures_util::future::join_all(settling).await;
    }

    /// Applies one delivery's effect (with its inbox row), without settling it.
    pub async fn process(&self, delivery: &Delivery) -> Disposition<I::Outcome> {
        let mut dispositions = self.process_all(std::slice::from_ref(delivery)).await;
        dispositions.pop().unwrap_or_else(|| Disposition::Retry("not processed".to_owned()))
    }

    /// Applies the effects of `deliveries` (with their inbox rows) in one transaction, without
    /// settling them; returns what to do with each, in order.
    pub async fn process_all(&self, deliveries: &[Delivery]) -> Vec<Disposition<I::Outcome>> {
        let mut messages = Vec::with_capacity(deliveries.len());
        let refused: Vec<Option<String>> = deliveries
            .iter()
            .map(|delivery| self.decode(delivery).map(|message| messages.push(message)).err())
            .collect();
        let mut applied = self.apply(&messages).await.into_iter();
        let decide = |refused: Option<String>| match refused {
            Some(reason) => Disposition::DeadLetter(reason),
            None => match applied.next() {
                Some(Ok(outcome)) => Disposition::Done(outcome),
                Some(Err(reason)) => Disposition::Retry(reason),
                None => Disposition::Retry("not settled".to_owned()),
            },
        };
        refused.into_iter().map(decide).collect()
    }

    fn decode(&self, delivery: &Delivery) -> Result<I::Message, String> {
        if delivery.attempt > 1 {
            metrics::counter!("consumer_redeliveries_total").increment(1);
        }
        self.inbox.decode(delivery)
    }

    /// Each message's outcome; every message is retried when the whole batch failed.
    async fn apply(&self, messages: &[I::Message]) -> Vec<Result<I::Outcome, String>> {
        if messages.is_empty() {
            return Vec::new();
        }
        match self.inbox.apply_all(messages).await {
            Ok(outcomes) => outcomes,
            Err(error) => messages.iter().map(|_| Err(error.clone())).collect(),
        }
    }

    async fn settle(&self, delivery: Delivery, disposition: Disposition<I::Outcome>) {
        let settled = match disposition {
            Disposition::Done(outcome) => {
                count("done", &delivery);
                tracing::debug!(?outcome, "processed");
                delivery.settle.ack().await
            }
            Disposition::Retry(reason) if delivery.attempt < self.settings.max_deliver => {
                count("retry", &delivery);
                let delay = self.settings.retry_delay(delivery.attempt);
                tracing::info!(attempt = delivery.attempt, delay_ms = delay.as_millis(), %reason, "will retry");
                delivery.settle.retry(delay).await
            }
            Disposition::Retry(reason) => {
                let reason = format!("{reason} (gave up after {} deliveries)", delivery.attempt);
                return self.dead_letter(delivery, &reason).await;
            }
            Disposition::DeadLetter(reason) => return self.dead_letter(delivery, &reason).await,
        };
        if let Err(error) = settled {
            tracing::warn!(%error, "cannot settle the delivery; it will be redelivered");
        }
    }

    /// Publishes the delivery as a dead letter with the reason, then rejects it. If the dead
    /// letter cannot be stored, the delivery is retried instead, so that nothing is lost.
    async fn dead_letter(&self, delivery: Delivery, reason: &str) {
        tracing::warn!(%reason, "dead-lettering");
        let letter = dead_letter_message(&self.settings, &delivery, reason);
        let stored = self.transport.publish(vec![letter]).await.into_iter().next();
        let settled = match stored {
            Some(Ok(())) => {
                count("dead_letter", &delivery);
                delivery.settle.reject().await
            }
            _ => delivery.settle.retry(self.settings.backoff_max).await,
        };
        if let Err(error) = settled {
            tracing::warn!(%error, "cannot settle the dead-lettered delivery");
        }
    }
}

/// The dead letter of `delivery`: its payload and headers (less the dropped ones), the reason
/// and the number of deliveries.
pub(super) fn dead_letter_message(
    settings: &ConsumerSettings,
    delivery: &Delivery,
    reason: &str,
) -> OutgoingMessage {
    let dropped = |name: &str| {
        settings.dead_letter_dropped_headers.iter().any(|drop| drop.eq_ignore_ascii_case(name))
    };
    let mut headers: Vec<(String, String)> =
        delivery.headers.iter().filter(|(name, _)| !dropped(name)).cloned().collect();
    headers.push((DEAD_LETTER_REASON.to_owned(), reason.replace(['\r', '\n'], " ")));
    headers.push((DEAD_LETTER_ATTEMPTS.to_owned(), delivery.attempt.to_string()));
    OutgoingMessage {
        // Stable across redeliveries, so that a retried dead-lettering stores one letter.
        id: format!("dlq-{}-{}", delivery.subject, delivery.sequence),
        subject: format!("{}{}", settings.dead_letter_prefix, delivery.subject),
        headers,
        payload: Bytes::clone(&delivery.payload),
    }
}

fn count(outcome: &'static str, delivery: &Delivery) {
    let subject = delivery.subject.clone();
    metrics::counter!("consumer_messages_total", "subject" => subject, "outcome" => outcome)
        .increment(1);
}
