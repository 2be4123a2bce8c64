//! The error model of the HTTP routes: one enum for every way a request can fail.
//!
//! `http::problem` turns it into an RFC 9457 problem+json response. Nothing here knows HTTP
//! beyond the status each variant stands for, and no variant carries internal details to the
//! client: broker failures are logged and answered with a bare 503.

use std::time::Duration;

use crate::rooms::{BrokerError, RoomError};

/// How a request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// Missing or bad credentials (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Valid credentials, but not for this (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The caller is over one of its limits (429).
    #[error("{detail}")]
    TooManyRequests {
        /// Which limit.
        detail: &'static str,
        /// When to try again, for the `Retry-After` header.
        retry_after: Duration,
    },
    /// The body is larger than allowed (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is of a kind the route does not accept (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The broker is down, the node is full, or it is shutting down (503).
    #[error("{detail}")]
    Unavailable {
        /// What is unavailable.
        detail: &'static str,
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
}

/// How long clients should wait before retrying when the node cannot serve them.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(2);

impl AppError {
    /// A 503 with the standard retry delay.
    #[must_use]
    pub(crate) fn unavailable(detail: &'static str) -> Self {
        Self::Unavailable { detail, retry_after: RETRY_AFTER }
    }
}

impl From<BrokerError> for AppError {
    fn from(error: BrokerError) -> Self {
        crate::telemetry::broker_error("http", &error);
        Self::unavailable("the broker is unavailable")
    }
}

impl From<RoomError> for AppError {
    fn from(error: RoomError) -> Self {
        match error {
            RoomError::Forbidden => Self::Forbidden("the room's policy does not allow this"),
            RoomError::RateLimited { retry_after } => Self::TooManyRequests {
                detail: "slow down: your publish rate is exceeded",
                retry_after,
            },
            RoomError::RoomLimit => Self::unavailable("too many rooms are open: try again later"),
            RoomError::Broker(error) => Self::from(error),
        }
    }
}

/// Shorthand for results of the HTTP handlers.
pub(crate) type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_failures_become_a_503_that_reveals_nothing() {
        let error = AppError::from(BrokerError::Unavailable("redis://secret-host: refused".into()));
        let AppError::Unavailable { detail, retry_after } = &error else { panic!("{error:?}") };
        assert_eq!((*detail, *retry_after), ("the broker is unavailable", RETRY_AFTER));
        assert!(!error.to_string().contains("secret-host"));
    }
}
