//! The idempotent consumer of `payment.completed` and `payment.failed`.
//!
//! Each delivery is processed in a span carrying the message's trace id, then settled:
//!
//! - applied, or seen before (the inbox row exists): acknowledged;
//! - a failure that may pass (database down, order not visible yet): retried after an
//!   exponential delay, until the delivery reaches `CONSUMER_MAX_DELIVER`;
//! - a failure that will not pass (malformed envelope, unknown type or version), or a retry
//!   limit reached: published to `dlq.<subject>` with the reason, then rejected.
//!
//! The inbox row and the effect commit together, so a crash between the commit and the
//! acknowledgement only causes a redelivery, which the inbox turns into a no-op.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{
    DEAD_LETTER_ATTEMPTS, DEAD_LETTER_PREFIX, DEAD_LETTER_REASON, Delivery, OutgoingMessage,
    Transport,
};
use crate::config::ConsumerConfig;
use crate::domain::event::{Envelope, PaymentEvent};
use crate::domain::trace::{TRACEPARENT, TraceContext};
use crate::repositories::SettleOutcome;
use crate::services::orders::OrderService;
use crate::telemetry;

/// What to do with a delivery once processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Processed (now or before): acknowledge.
    Done(SettleOutcome),
    /// Failed, but may succeed later.
    Retry(String),
    /// Will never succeed: dead-letter it.
    DeadLetter(String),
}

/// Consumes payment events.
pub struct PaymentConsumer {
    transport: Arc<dyn Transport>,
    orders: Arc<OrderService>,
    config: ConsumerConfig,
}

impl std::fmt::Debug for PaymentConsumer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PaymentConsumer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PaymentConsumer {
    /// A consumer applying payments through `orders`.
    #[must_use]
    pub fn new(
        transport: Arc<dyn Transport>,
        orders: Arc<OrderService>,
        config: ConsumerConfig,
    ) -> Self {
        Self { transport, orders, config }
    }

    /// Pulls and handles messages until `stop` is cancelled; then finishes the messages in
    /// hand and returns. Pulled messages not yet started are left for redelivery.
    pub async fn run(&self, stop: CancellationToken) {
        let wait = self.config.ack_wait.min(std::time::Duration::from_secs(5));
        while !stop.is_cancelled() {
            let pulled = tokio::select! {
                () = stop.cancelled() => break,
                pulled = self.transport.pull(self.config.batch_size, wait) => pulled,
            };
            let Ok(deliveries) = pulled.inspect_err(|error| telemetry::warn("pull failed", &error))
            else {
                tokio::time::sleep(self.config.backoff_initial).await;
                continue;
            };
            deliveries
                .take_until(stop.clone().cancelled_owned())
                .for_each_concurrent(self.config.concurrency, |delivery| self.handle(delivery))
                .await;
        }
    }

    /// Processes one delivery and settles it.
    pub async fn handle(&self, delivery: Delivery) {
        let trace = TraceContext::from_header(delivery.header(TRACEPARENT));
        let span = tracing::info_span!(
            "message",
            subject = %delivery.subject,
            attempt = delivery.attempt,
            trace_id = %trace.trace_id(),
        );
        async {
            let disposition = self.process(&delivery).await;
            self.settle(delivery, disposition).await;
        }
        .instrument(span)
        .await;
    }

    /// Applies the delivery's effect (with its inbox row), without settling it.
    pub async fn process(&self, delivery: &Delivery) -> Disposition {
        if delivery.attempt > 1 {
            metrics::counter!("consumer_redeliveries_total").increment(1);
        }
        let envelope = match serde_json::from_slice::<Envelope>(&delivery.payload) {
            Ok(envelope) => envelope,
            Err(error) => return Disposition::DeadLetter(format!("malformed envelope: {error}")),
        };
        let event = match PaymentEvent::from_envelope(&envelope) {
            Ok(event) => event,
            Err(unknown) => return Disposition::DeadLetter(unknown.to_string()),
        };
        match self.orders.settle(envelope.id, &delivery.subject, event).await {
            Ok(SettleOutcome::OrderMissing) => {
                Disposition::Retry(format!("order {} not found", event.order_id()))
            }
            Ok(outcome) => Disposition::Done(outcome),
            Err(error) => Disposition::Retry(error.to_string()),
        }
    }

    async fn settle(&self, delivery: Delivery, disposition: Disposition) {
        let settled = match disposition {
            Disposition::Done(outcome) => {
                count("done", &delivery);
                telemetry::debug("processed", &format!("{outcome:?}"));
                delivery.settle.ack().await
            }
            Disposition::Retry(reason) if delivery.attempt < self.config.max_deliver => {
                count("retry", &delivery);
                let delay = self.config.retry_delay(delivery.attempt);
                telemetry::info(&format!("will retry in {delay:?}: {reason}"));
                delivery.settle.retry(delay).await
            }
            Disposition::Retry(reason) => {
                let reason = format!("{reason} (gave up after {} deliveries)", delivery.attempt);
                return self.dead_letter(delivery, &reason).await;
            }
            Disposition::DeadLetter(reason) => return self.dead_letter(delivery, &reason).await,
        };
        if let Err(error) = settled {
            telemetry::warn("cannot settle the delivery; it will be redelivered", &error);
        }
    }

    /// Publishes the delivery to `dlq.<subject>` with the reason, then rejects it. If the dead
    /// letter cannot be stored, the delivery is retried instead, so that nothing is lost.
    async fn dead_letter(&self, delivery: Delivery, reason: &str) {
        telemetry::warn("dead-lettering", &reason);
        let letter = dead_letter_message(&delivery, reason);
        let stored = self.transport.publish(vec![letter]).await.into_iter().next();
        let settled = match stored {
            Some(Ok(())) => {
                count("dead_letter", &delivery);
                delivery.settle.reject().await
            }
            _ => delivery.settle.retry(self.config.backoff_max).await,
        };
        if let Err(error) = settled {
            telemetry::warn("cannot settle the dead-lettered delivery", &error);
        }
    }
}

fn dead_letter_message(delivery: &Delivery, reason: &str) -> OutgoingMessage {
    let mut headers: Vec<(String, String)> = delivery
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("Nats-Msg-Id"))
        .cloned()
        .collect();
    headers.push((DEAD_LETTER_REASON.to_owned(), reason.replace(['\r', '\n'], " ")));
    headers.push((DEAD_LETTER_ATTEMPTS.to_owned(), delivery.attempt.to_string()));
    OutgoingMessage {
        // Stable across redeliveries, so that a retried dead-lettering stores one letter.
        id: format!("dlq-{}-{}", delivery.subject, delivery.sequence),
        subject: format!("{DEAD_LETTER_PREFIX}{}", delivery.subject),
        headers,
        payload: Bytes::clone(&delivery.payload),
    }
}

fn count(outcome: &'static str, delivery: &Delivery) {
    let subject = delivery.subject.clone();
    metrics::counter!("consumer_messages_total", "subject" => subject, "outcome" => outcome)
        .increment(1);
}
