//! The messages a [`super::Transport`] hands out (deliveries, requests) and takes in.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use super::TransportError;

/// A message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The deduplication id (the envelope id).
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

/// Answers one request.
#[async_trait]
pub trait Respond: Send + Sync {
    /// Sends the reply.
    async fn respond(&self, payload: Bytes) -> Result<(), TransportError>;
}

/// A request waiting for its reply.
pub struct IncomingRequest {
    /// Its body.
    pub payload: Bytes,
    /// The trace context it came with, if any.
    pub traceparent: Option<String>,
    /// Where the reply goes.
    pub reply: Box<dyn Respond>,
}

impl std::fmt::Debug for IncomingRequest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IncomingRequest")
            .field("bytes", &self.payload.len())
            .finish_non_exhaustive()
    }
}
