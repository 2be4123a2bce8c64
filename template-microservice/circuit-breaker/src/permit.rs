//! Permits: the right to make one call, and the duty to report its outcome.
//!
//! Dropping a permit without recording (a cancelled future, an early return)
//! records nothing and frees a half-open trial slot at once.

use std::sync::Arc;

use crate::Outcome;
use crate::core::{Core, Ticket};

/// Permission for one call, borrowed from a [`crate::CircuitBreaker`].
///
/// ```
/// use circuit_breaker::{CircuitBreaker, Outcome};
///
/// let breaker = CircuitBreaker::builder().build()?;
/// let permit = breaker.try_acquire()?;
/// let answer = 6 * 7; // the protected work
/// permit.record(if answer == 42 { Outcome::Success } else { Outcome::Failure });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a permit counts only once its outcome is recorded"]
pub struct Permit<'a> {
    core: &'a Core,
    ticket: Ticket,
}

impl<'a> Permit<'a> {
    #[inline]
    pub(crate) fn new(core: &'a Core, ticket: Ticket) -> Self {
        Self { core, ticket }
    }

    /// Reports how the call went.
    #[inline]
    pub fn record(mut self, outcome: Outcome) {
        self.settle(outcome);
    }

    /// Records in place and disarms the drop, which then does nothing.
    #[inline]
    pub(crate) fn settle(&mut self, outcome: Outcome) {
        self.core.record(&self.ticket, outcome);
        self.ticket.disarm();
    }

    /// Whether this permit is one of the half-open state's trial calls.
    #[must_use]
    pub fn is_trial(&self) -> bool {
        !self.ticket.is_plain()
    }
}

impl Drop for Permit<'_> {
    #[inline]
    fn drop(&mut self) {
        self.core.cancel(&self.ticket);
    }
}

/// Permission for one call, holding its own reference to the breaker: for
/// futures and services that must be `'static`.
#[derive(Debug)]
#[must_use = "a permit counts only once its outcome is recorded"]
pub struct OwnedPermit {
    core: Arc<Core>,
    ticket: Ticket,
}

impl OwnedPermit {
    #[inline]
    pub(crate) fn new(core: Arc<Core>, ticket: Ticket) -> Self {
        Self { core, ticket }
    }

    /// Reports how the call went.
    #[inline]
    pub fn record(mut self, outcome: Outcome) {
        self.settle(outcome);
    }

    /// Records in place and disarms the drop, which then does nothing.
    #[inline]
    pub(crate) fn settle(&mut self, outcome: Outcome) {
        self.core.record(&self.ticket, outcome);
        self.ticket.disarm();
    }

    /// Whether this permit is one of the half-open state's trial calls.
    #[must_use]
    pub fn is_trial(&self) -> bool {
        !self.ticket.is_plain()
    }
}

impl Drop for OwnedPermit {
    #[inline]
    fn drop(&mut self) {
        self.core.cancel(&self.ticket);
    }
}
