//! The transactional outbox relay and the idempotent consumer, behind traits of their own so
//! that any broker and any database can carry them.
//!
//! - [`relay`]: publishes the events committed to the [`Outbox`], and marks each one sent only
//!   after the broker acknowledged it.
//! - [`consumer`]: pulls deliveries, has the app's [`Inbox`] apply each exactly once, and
//!   acknowledges, retries with backoff, or dead-letters them.
//! - [`transport`]: what a broker must offer ([`Transport`]) and guarantee.
//! - [`store`]: what the outbox table must offer ([`Outbox`]), and the [`Signal`] that wakes
//!   the relay.
//! - [`settings`]: [`RelaySettings`] and [`ConsumerSettings`], with their defaults.
//!
//! The module depends on external crates and on itself only: see `MODULE.md`.

pub mod consumer;
pub mod relay;
pub mod settings;
pub mod store;
pub mod transport;

pub use consumer::{Consumer, DEAD_LETTER_ATTEMPTS, DEAD_LETTER_REASON, Disposition, Inbox};
pub use relay::{Pass, Relay, TRACEPARENT};
pub use settings::{ConsumerSettings, RelaySettings};
pub use store::{Backlog, BoxError, Outbox, OutboxClaim, OutboxEvent, Signal, StoreError};
pub use transport::{Acknowledge, Delivery, OutgoingMessage, Transport, TransportError};

#[cfg(test)]
mod tests;
