//! RFC 9457 problem details: the body of every error response of the HTTP routes.
//!
//! Problems use `type: "about:blank"`, so `title` is the status phrase and `detail` says what
//! went wrong.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;

/// The media type of problem documents.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Problem {
    /// Problem type; `about:blank` means the status code says it all.
    #[serde(rename = "type")]
    pub(crate) type_uri: &'static str,
    /// The HTTP status phrase.
    pub(crate) title: &'static str,
    /// The HTTP status code.
    pub(crate) status: u16,
    /// What went wrong, for a human.
    pub(crate) detail: String,
    #[serde(skip)]
    retry_after: Option<Duration>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            type_uri: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// Adds a `Retry-After` header (whole seconds, at least 1).
    #[must_use]
    pub(crate) fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(delay) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(delay.as_secs().max(1)));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let detail = error.to_string();
        match error {
            AppError::BadRequest(_) => Self::new(StatusCode::BAD_REQUEST, detail),
            AppError::Unauthorized(_) => Self::new(StatusCode::UNAUTHORIZED, detail),
            AppError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, detail),
            AppError::TooManyRequests { retry_after, .. } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, detail).with_retry_after(retry_after)
            }
            AppError::PayloadTooLarge(_) => Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail),
            AppError::UnsupportedMediaType(_) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail)
            }
            AppError::Unavailable { retry_after, .. } => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, detail).with_retry_after(retry_after)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}

/// Answers routes that do not exist.
pub(crate) async fn route_not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no route matches this path")
}

/// Answers known routes called with the wrong method.
pub(crate) async fn method_not_allowed() -> Problem {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED, "this route does not accept this method")
}
