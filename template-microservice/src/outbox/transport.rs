//! What the relay and the consumer need of a message broker: [`Transport`], the messages it
//! takes in ([`OutgoingMessage`]) and hands out ([`Delivery`]), and how a delivery is settled
//! ([`Acknowledge`]).
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

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;

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
}

/// A message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The deduplication id (the event id).
    pub id: String,
    /// Where it goes.
    pub subject: String,
    /// Headers, such as `traceparent`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub payload: Bytes,
}

/// Settles a delivery with the broker.
#[async_trait]
pub trait Acknowledge: Send + Sync {
    /// Done: never deliver it again.
    async fn ack(&self) -> Result<(), TransportError>;
    /// Deliver it again after `delay`.
    async fn retry(&self, delay: Duration) -> Result<(), TransportError>;
    /// Never deliver it again; it failed for good (after it was dead-lettered).
    async fn reject(&self) -> Result<(), TransportError>;
}

/// One delivery of a message to this service.
pub struct Delivery {
    /// The subject it was published to.
    pub subject: String,
    /// Its headers.
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub payload: Bytes,
    /// Which delivery this is, from 1.
    pub attempt: u32,
    /// The broker's position of the message: the same on every redelivery.
    pub sequence: u64,
    /// How to settle it.
    pub settle: Box<dyn Acknowledge>,
}

impl Delivery {
    /// The first value of header `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_str())
    }
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}
