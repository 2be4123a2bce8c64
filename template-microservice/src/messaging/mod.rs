//! The only module that knows NATS. The outbox relay and the payment consumer reach the broker
//! through [`Transport`] (the outbox module's trait, which states what publishing and pulling
//! must guarantee); the rest of the service through `Broker`, which adds request–reply and
//! the connection's state, so that RabbitMQ or Kafka could replace NATS JetStream without
//! touching the rest.
//!
//! - [`nats`]: [`Transport`] and `Broker` over NATS JetStream (async-nats).
//! - [`consumer`]: the payment events as the outbox module's [`crate::outbox::Inbox`]:
//!   decoding, settling with the inbox row, the trace of each message.
//! - `rpc`: the `orders.get` request–reply responder.
//! - `delivery`: the requests a broker hands out.
//!
//! # What an implementation of `Broker` must guarantee
//!
//! 1. to 4. What [`Transport`] must: durable publication, deduplication by message id,
//!    at-least-once delivery with explicit settlement, headers that travel.
//! 5. **Topology on start.** The implementation creates what it needs (JetStream: the
//!    `EVENTS` stream on `events.>`, `DEAD_LETTERS` on `dlq.>`, the durable consumer) when it
//!    is missing, and never deletes anything.
//! 6. **Requests are load-balanced.** `Broker::requests` hands each request to one
//!    instance of the service (NATS: a queue group), and a reply reaches only its requester.

pub mod consumer;
pub(crate) mod delivery;
pub mod nats;
pub(crate) mod rpc;

use async_trait::async_trait;
use futures_util::stream::BoxStream;

pub use crate::outbox::{Delivery, OutgoingMessage, Transport, TransportError};
pub(crate) use delivery::{IncomingRequest, Respond};

/// A message broker: the outbox's [`Transport`], request–reply and the connection's state;
/// see the module documentation for what an implementation guarantees.
#[async_trait]
pub(crate) trait Broker: Transport {
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
