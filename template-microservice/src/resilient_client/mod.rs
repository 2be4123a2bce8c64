//! A resilient HTTP client for calls to another service: one tower stack, from the outside in,
//!
//! 1. a deadline for the whole call, retries included ([`tower::timeout`]);
//! 2. retries of idempotent requests, with jittered exponential backoff and a retry budget
//!    shared by all calls ([`retry`]); a request is idempotent when its method is, or when it
//!    carries an `Idempotency-Key` header;
//! 3. the circuit breaker (crate `circuit-breaker`, [`breaker`]): an open circuit rejects at
//!    once, without waiting for any timeout, and a rejection is never retried;
//! 4. a deadline per attempt, so that a hanging server counts as a failure;
//! 5. the HTTP/1 client ([`client`]).
//!
//! [`ResilientClient`] puts it together from [`ClientSettings`]; [`breaker::watch`] logs and
//! counts the breaker's state changes. The module depends on external crates and on itself
//! only: see `MODULE.md`.

pub mod breaker;
pub mod client;
pub mod retry;
pub mod settings;
pub mod stack;

pub use breaker::BreakerStatus;
pub use client::{AttemptError, HttpRequest, HttpResponse, HttpSend};
pub use retry::IDEMPOTENCY_KEY;
pub use settings::{BreakerSettings, ClientSettings, RetrySettings};
pub use stack::{CallError, ResilientClient};

#[cfg(test)]
mod tests;
