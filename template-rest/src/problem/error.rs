//! The error model: one enum for every way a request can fail.
//!
//! Services return [`AppError`]; [`super::Problem`] turns it into an RFC 9457 problem+json
//! response. Nothing here knows HTTP beyond the status each variant stands for, and no variant
//! carries internal details to the client: [`AppError::Internal`] is logged, never shown.

use std::time::Duration;

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field, as a JSON path (`email`, `items[0].sku`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// How a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// Some fields are invalid (422); each one is listed.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// Missing or bad credentials (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The resource does not exist, or the caller may not know it does (404).
    #[error("{0}")]
    NotFound(&'static str),
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// The body is larger than allowed (413).
    #[error("{0}")]
    PayloadTooLarge(&'static str),
    /// The body is of a kind the route does not accept (415).
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// Too many requests from this client or for this account; retry after the delay (429).
    #[error("too many requests")]
    TooManyRequests {
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
    /// A dependency is down or overloaded; retry after the given delay (503).
    #[error("the service is temporarily unavailable")]
    Unavailable {
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
    /// A bug or an unexpected failure (500). The source is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// A validation failure on a single field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// An internal error from anything that can be logged.
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(error.into())
    }
}

/// Shorthand for results of the service layer.
pub type AppResult<T> = Result<T, AppError>;
