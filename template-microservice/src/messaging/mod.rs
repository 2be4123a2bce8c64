//! The only module that knows NATS. Everything else reaches the broker through [`Transport`],
//! so that RabbitMQ or Kafka could replace NATS JetStream without touching the rest.
//!
//! - [`nats`]: [`Transport`] over NATS JetStream (async-nats).
//! - [`relay`]: the outbox relay, publishing committed events.
//! - [`consumer`]: the idempotent payment consumer, with retries and dead letters.
//! - [`rpc`]: the `orders.get` request–reply responder.
//! - [`delivery`]: the messages a transport hands out and takes in.
//!
//! # What an implementation of [`Transport`] must guarantee
//!
//! 1. **Durable publication.** [`Transport::publish`] returns `Ok` for a message only once the
//!    broker has stored it durably (JetStream: the publish acknowledgement). On `Err` the
//!    message may or may not be stored: the caller publishes it again.
//! 2. **Deduplication by message id.** Publishing the same [`OutgoingMessage::id`] twice
//!    within the broker's deduplication window stores it once (JetStream: `Nats-Msg-Id` and
//!    the stream's duplicate window; RabbitMQ: a deduplication plugin, or consumers' inboxes
//!    alone; Kafka: the idempotent producer plus the inbox). Outside that window, duplicates
//!    are possible, and the consumers' inbox absorbs them.
//! 3. **At-least-once delivery with explicit settlement.** A [`Delivery`] stays owned by this
//!    consumer until it is acknowledged, retried or rejected; one that is never settled
//!    (a crash) is delivered again after the acknowledgement deadline, with its attempt count
//!    increased. Other messages keep flowing while one waits for a retry.
//! 4. **Headers travel.** Header names and values, `traceparent` included, reach consumers
//!    unchanged.
//! 5. **Topology on start.** The implementation creates what it needs (JetStream: the
//!    `EVENTS` stream on `events.>`, `DEAD_LETTERS` on `dlq.>`, the durable consumer) when it
//!    is missing, and never deletes anything.
//! 6. **Requests are load-balanced.** [`Transport::requests`] hands each request to one
//!    instance of the service (NATS: a queue group), and a reply reaches only its requester.

pub mod consumer;
pub mod delivery;
pub mod nats;
pub mod relay;
pub mod rpc;

use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::BoxStream;

pub use delivery::{Acknowledge, Delivery, IncomingRequest, OutgoingMessage, Respond};

/// The prefix of dead-letter subjects: `dlq.<original subject>`.
pub const DEAD_LETTER_PREFIX: &str = "dlq.";
/// The header carrying why a message was dead-lettered.
pub const DEAD_LETTER_REASON: &str = "Dead-Letter-Reason";
/// The header carrying how many deliveries a dead letter had.
pub const DEAD_LETTER_ATTEMPTS: &str = "Dead-Letter-Attempts";

/// A failure of the broker or the connection to it.
#[derive(Debug, thiserror::Error)]
#[error("transport: {0}")]
pub struct TransportError(pub String);

impl TransportError {
    /// An error from anything displayable.
    pub fn new(error: impl std::fmt::Display) -> Self {
        Self(error.to_string())
    }
}

/// A message broker; see the module documentation for what an implementation guarantees.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Publishes every message, and reports, in order, which ones the broker stored.
    async fn publish(&self, messages: Vec<OutgoingMessage>) -> Vec<Result<(), TransportError>>;

    /// Up to `max` deliveries of this service's durable subscription, as they arrive, for at
    /// most `wait`.
    async fn pull(
        &self,
        max: u32,
        wait: Duration,
    ) -> Result<BoxStream<'static, Delivery>, TransportError>;

    /// The requests sent to `subject`, shared among the instances of this service.
    async fn requests(
        &self,
        subject: &str,
    ) -> Result<BoxStream<'static, IncomingRequest>, TransportError>;

    /// Whether the connection is up, for readiness.
    fn is_connected(&self) -> bool;

    /// Sends what is buffered and closes the connection.
    async fn close(&self);
}
