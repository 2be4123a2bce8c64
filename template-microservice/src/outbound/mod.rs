//! Calls to other services over HTTP, each through the resilient stack of
//! [`crate::resilient_client`] (timeout → retry with a budget → circuit breaker → attempt
//! timeout → client).
//!
//! [`inventory`] uses it for stock reservations and their releases. [`jwks`] fetches the token
//! issuer's key set with the module's bare client, without the stack (a deadline only: it runs
//! at startup and at most once per refresh interval).

pub(crate) mod inventory;
pub(crate) mod jwks;
