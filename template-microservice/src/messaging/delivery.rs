//! The requests a [`super::Broker`] hands out, and how they are answered. (The deliveries of
//! events are the outbox module's [`crate::outbox::Delivery`].)

use async_trait::async_trait;
use bytes::Bytes;

use super::TransportError;

/// Answers one request.
#[async_trait]
pub(crate) trait Respond: Send + Sync {
    /// Sends the reply.
    async fn respond(&self, payload: Bytes) -> Result<(), TransportError>;
}

/// A request waiting for its reply.
pub(crate) struct IncomingRequest {
    pub(crate) payload: Bytes,
    /// The trace context it came with, if any.
    pub(crate) traceparent: Option<String>,
    /// Where the reply goes.
    pub(crate) reply: Box<dyn Respond>,
}

impl std::fmt::Debug for IncomingRequest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IncomingRequest")
            .field("bytes", &self.payload.len())
            .finish_non_exhaustive()
    }
}
