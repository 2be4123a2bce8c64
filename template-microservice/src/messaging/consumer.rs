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
use crate::services::orders::{OrderService, Payment};
use crate::telemetry;

/// Messages whose effects are applied in one database transaction.
const SETTLE_BATCH: usize = 64;

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
            let Ok(deliveries) = pulled.inspect_err(|error| tracing::warn!(%error, "pull failed"))
            else {
                tokio::time::sleep(self.config.backoff_initial).await;
                continue;
            };
            deliveries
                .take_until(stop.clone().cancelled_owned())
                .ready_chunks(SETTLE_BATCH)
                .for_each_concurrent(self.config.concurrency, |batch| self.handle_all(batch))
                .await;
        }
    }

    /// Processes deliveries together (their effects in one transaction), then settles each in
    /// a span carrying its trace id.
    pub async fn handle_all(&self, deliveries: Vec<Delivery>) {
        let dispositions = self.process_all(&deliveries).await;
        let settling = deliveries.into_iter().zip(dispositions).map(|(delivery, disposition)| {
            let span = message_span(&delivery);
            self.settle(delivery, disposition).instrument(span)
        });
        futures_util::future::join_all(settling).await;
    }

    /// Applies one delivery's effect (with its inbox row), without settling it.
    pub async fn process(&self, delivery: &Delivery) -> Disposition {
        let mut dispositions = self.process_all(std::slice::from_ref(delivery)).await;
        dispositions.pop().unwrap_or_else(|| Disposition::Retry("not processed".to_owned()))
    }

    /// Applies the effects of `deliveries` (with their inbox rows) in one transaction, without
    /// settling them; returns what to do with each, in order.
    pub async fn process_all(&self, deliveries: &[Delivery]) -> Vec<Disposition> {
        let parsed: Vec<Result<Payment, Disposition>> = deliveries.iter().map(parse).collect();
        let payments: Vec<Payment> =
            parsed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect();
        let outcomes = match self.orders.settle_all(&payments).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(error) => vec![Err(error.to_string()); payments.len()],
        };
        let mut outcomes = outcomes.into_iter();
        let decide = |parsed| match parsed {
            Err(disposition) => disposition,
            Ok(payment) => disposition(&payment, outcomes.next()),
        };
        parsed.into_iter().map(decide).collect()
    }

    async fn settle(&self, delivery: Delivery, disposition: Disposition) {
        let settled = match disposition {
            Disposition::Done(outcome) => {
                count("done", &delivery);
                tracing::debug!(?outcome, "processed");
                delivery.settle.ack().await
            }
            Disposition::Retry(reason) if delivery.attempt < self.config.max_deliver => {
                count("retry", &delivery);
                let delay = self.config.retry_delay(delivery.attempt);
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

    /// Publishes the delivery to `dlq.<subject>` with the reason, then rejects it. If the dead
    /// letter cannot be stored, the delivery is retried instead, so that nothing is lost.
    async fn dead_letter(&self, delivery: Delivery, reason: &str) {
        tracing::warn!(%reason, "dead-lettering");
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
            tracing::warn!(%error, "cannot settle the dead-lettered delivery");
        }
    }
}

/// The span a message is handled in.
fn message_span(delivery: &Delivery) -> tracing::Span {
    let trace = TraceContext::from_header(delivery.header(TRACEPARENT));
    let span = tracing::info_span!(
        "message",
        subject = %delivery.subject,
        attempt = delivery.attempt,
        trace_id = %trace.trace_id(),
    );
    let _ = telemetry::link(&span, trace);
    span
}

/// The payment a delivery carries, or why it never will be one.
fn parse(delivery: &Delivery) -> Result<Payment, Disposition> {
    if delivery.attempt > 1 {
        metrics::counter!("consumer_redeliveries_total").increment(1);
    }
    let envelope = serde_json::from_slice::<Envelope>(&delivery.payload)
        .map_err(|error| Disposition::DeadLetter(format!("malformed envelope: {error}")))?;
    let event = PaymentEvent::from_envelope(&envelope)
        .map_err(|unknown| Disposition::DeadLetter(unknown.to_string()))?;
    Ok(Payment { message_id: envelope.id, subject: delivery.subject.clone(), event })
}

/// What to do once a payment's settlement was tried.
fn disposition(payment: &Payment, settled: Option<Result<SettleOutcome, String>>) -> Disposition {
    match settled {
        Some(Ok(SettleOutcome::OrderMissing)) => {
            Disposition::Retry(format!("order {} not found", payment.event.order_id()))
        }
        Some(Ok(outcome)) => Disposition::Done(outcome),
        Some(Err(error)) => Disposition::Retry(error),
        None => Disposition::Retry("not settled".to_owned()),
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
