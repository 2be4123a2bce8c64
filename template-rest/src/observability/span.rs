//! One tracing span per request, carrying the request id, so every log line of the request
//! has it.

use axum::http::Request;

use super::request_id::REQUEST_ID;

/// The span of one request: method, path and request id. Give it to
/// `TraceLayer::make_span_with`, inside the layers that set the request id.
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
    )
}
