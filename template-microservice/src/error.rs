//! The error model of the service layer: one enum for every way a request can fail.
//!
//! Services return [`AppError`]; `http::problem` turns it into an RFC 9457 problem+json
//! response. No variant carries internal details to the client: [`AppError::Internal`] is
//! logged, never shown.

use std::time::Duration;

use crate::repositories::RepositoryError;

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct FieldError {
    /// The field, as a path (`items[0].sku`).
    pub(crate) field: String,
    /// What is wrong with it.
    pub(crate) message: String,
}

/// How a request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// Some fields are invalid (422); each one is listed.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// Missing or bad credentials (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The resource does not exist, or the caller may not know it does (404).
    #[error("{0}")]
    NotFound(&'static str),
    /// The request conflicts with the state of things, such as stock (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// The body is of a kind the route does not accept (415).
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// A dependency is down or its breaker is open; retry after the delay (503).
    #[error("{detail}")]
    Unavailable {
        /// What is unavailable.
        detail: &'static str,
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
    /// The caller has placed orders faster than its limit; retry after the delay (429).
    #[error("{detail}")]
    TooManyRequests {
        /// What was limited.
        detail: &'static str,
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
    /// A bug or an unexpected failure (500). The source is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// A validation failure on a single field.
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError { field: field.into(), message: message.into() }])
    }
}

/// How long clients should wait when the database is unavailable.
pub(crate) const DATABASE_RETRY_AFTER: Duration = Duration::from_secs(2);

impl From<RepositoryError> for AppError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                Self::Unavailable {
                    detail: "the database is unavailable",
                    retry_after: DATABASE_RETRY_AFTER,
                }
            }
            RepositoryError::Other(source) => Self::Internal(source),
        }
    }
}

/// Shorthand for results of the service layer.
pub(crate) type AppResult<T> = Result<T, AppError>;
