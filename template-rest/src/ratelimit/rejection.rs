//! [`TooManyRequests`]: the 429 every limit answers, as an RFC 9457
//! `application/problem+json` document with `Retry-After`.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

const PROBLEM_JSON: &str = "application/problem+json";

/// A limit was reached: retry after `retry_after`. Answers 429 problem+json with a
/// `Retry-After` of whole seconds, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests")]
pub struct TooManyRequests {
    /// How long until a retry may succeed.
    pub retry_after: Duration,
}

/// The RFC 9457 document of a refusal.
#[derive(Serialize)]
struct ProblemBody {
    #[serde(rename = "type")]
    problem_type: &'static str,
    title: &'static str,
    status: u16,
    detail: &'static str,
}

impl IntoResponse for TooManyRequests {
    fn into_response(self) -> Response {
        let status = StatusCode::TOO_MANY_REQUESTS;
        let body = ProblemBody {
            problem_type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: "too many requests",
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        let seconds = self.retry_after.as_secs().max(1);
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}
