//! RFC 9457 problem details: the body of every error response.
//!
//! Problems use `type: "about:blank"`, so `title` is the status phrase and `detail` says what
//! went wrong; validation failures add an `errors` list. Internal errors are logged with their
//! cause and answered with a bare 500 that reveals nothing.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{AppError, FieldError};

/// The media type of problem documents.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Problem {
    /// Problem type; `about:blank` means the status code says it all.
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    /// The HTTP status phrase.
    pub(crate) title: &'static str,
    /// The HTTP status code.
    pub(crate) status: u16,
    /// What went wrong, for a human.
    pub(crate) detail: String,
    /// Invalid fields, for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<FieldError>,
    #[serde(skip)]
    retry_after: Option<Duration>,
}

impl Problem {
    /// A problem with the given status and detail.
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
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
            let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = status_of(&error);
        let detail = error.to_string();
        match error {
            AppError::Validation(errors) => Self { errors, ..Self::new(status, detail) },
            AppError::Unavailable { retry_after, .. }
            | AppError::TooManyRequests { retry_after, .. } => {
                Self { retry_after: Some(retry_after), ..Self::new(status, detail) }
            }
            AppError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                Self::new(status, "an unexpected error occurred")
            }
            _ => Self::new(status, detail),
        }
    }
}

/// The HTTP status each kind of failure stands for.
fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
