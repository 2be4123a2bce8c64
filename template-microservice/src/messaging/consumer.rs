//! The idempotent consumer of `payment.completed` and `payment.failed`: the outbox module's
//! [`Consumer`] with [`OrderService`] as its [`Inbox`].
//!
//! A delivery decodes into a [`Payment`], or is dead-lettered at once (malformed envelope,
//! unknown type or version). Payments settle through `OrderService::settle_all`, which writes
//! each inbox row with its effect in one transaction: an order that does not exist yet is
//! retried (it may not be visible yet), a message seen before changes nothing. Each delivery is
//! settled in a span carrying the message's trace id.

use async_trait::async_trait;

use super::Delivery;
use crate::domain::event::{Envelope, PaymentEvent};
use crate::domain::trace::{TRACEPARENT, TraceContext};
use crate::outbox::{Consumer, Inbox};
use crate::repositories::SettleOutcome;
use crate::services::orders::{OrderService, Payment};
use crate::telemetry;

/// Consumes payment events.
pub type PaymentConsumer = Consumer<OrderService>;

/// What to do with a payment delivery once processed.
pub type Disposition = crate::outbox::Disposition<SettleOutcome>;

#[async_trait]
impl Inbox for OrderService {
    type Message = Payment;
    type Outcome = SettleOutcome;

    fn decode(&self, delivery: &Delivery) -> Result<Payment, String> {
        let envelope = serde_json::from_slice::<Envelope>(&delivery.payload)
            .map_err(|error| format!("malformed envelope: {error}"))?;
        let event =
            PaymentEvent::from_envelope(&envelope).map_err(|unknown| unknown.to_string())?;
        Ok(Payment { message_id: envelope.id, subject: delivery.subject.clone(), event })
    }

    async fn apply_all(
        &self,
        payments: &[Payment],
    ) -> Result<Vec<Result<SettleOutcome, String>>, String> {
        let outcomes = self.settle_all(payments).await.map_err(|error| error.to_string())?;
        let outcome = |(payment, outcome): (&Payment, SettleOutcome)| match outcome {
            SettleOutcome::OrderMissing => {
                Err(format!("order {} not found", payment.event.order_id()))
            }
            outcome => Ok(outcome),
        };
        Ok(payments.iter().zip(outcomes).map(outcome).collect())
    }

    fn span(&self, delivery: &Delivery) -> tracing::Span {
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
}
