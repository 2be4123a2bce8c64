//! Errors: a rejected call ([`Rejected`]), a wrapped call's error
//! ([`Error`]) and an invalid setting ([`ConfigError`]).

use std::fmt;
use std::time::Duration;

use crate::State;

/// The breaker refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// The state that refused it: open, forced-open, or half-open with every
    /// trial slot taken.
    pub state: State,
    /// When it is worth trying again: the rest of the open wait, or the time
    /// until the first trial lease runs out. A hint, not a promise.
    pub retry_after: Duration,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "circuit breaker is {}; retry after {:?}", self.state, self.retry_after)
    }
}

impl std::error::Error for Rejected {}

/// The error of a call made through the breaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error<E> {
    /// The breaker refused the call; the wrapped operation did not run.
    Rejected(Rejected),
    /// The call ran longer than its timeout (counted as a failure).
    Timeout(Duration),
    /// The wrapped operation's own error.
    Inner(E),
}

impl<E> Error<E> {
    /// The wrapped error, if the operation ran and failed.
    pub fn into_inner(self) -> Option<E> {
        match self {
            Self::Inner(error) => Some(error),
            Self::Rejected(_) | Self::Timeout(_) => None,
        }
    }

    /// The rejection, if the breaker refused the call.
    pub fn rejected(&self) -> Option<&Rejected> {
        match self {
            Self::Rejected(rejected) => Some(rejected),
            Self::Timeout(_) | Self::Inner(_) => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(rejected) => rejected.fmt(f),
            Self::Timeout(limit) => write!(f, "call timed out after {limit:?}"),
            Self::Inner(error) => error.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rejected(rejected) => Some(rejected),
            Self::Timeout(_) => None,
            Self::Inner(error) => Some(error),
        }
    }
}

/// A setting out of its range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    field: &'static str,
    reason: &'static str,
}

impl ConfigError {
    pub(crate) fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }

    /// The setting at fault.
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid circuit breaker setting `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}
