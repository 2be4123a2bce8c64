//! The business rules. Services speak in [`crate::domain`] types and `crate::error::AppError`,
//! and reach the outside world only through traits: repositories, [`inventory::Inventory`].
//!
//! - [`orders`]: placing, reading and settling orders.
//! - [`inventory`]: what the service needs from the inventory service.
//! - `rate_limit`: the per-user limit on placing orders.
//! - `releases`: delivering the releases of reservations, and expiring pending orders.
//! - `tokens`: access-token verification.

#[cfg(test)]
pub(crate) mod fakes;
pub mod inventory;
pub mod orders;
pub(crate) mod rate_limit;
pub(crate) mod releases;
pub(crate) mod tokens;

/// Wakes the outbox relay when a transaction has committed an event: the outbox module's.
pub use crate::outbox::Signal as OutboxSignal;

/// Wakes the release worker when a release is recorded outside its own passes.
pub type ReleaseSignal = OutboxSignal;
