//! One tracing span per request, carrying the request id, so every log line of the request
//! has it.

use axum::http::Request;

use super::request_id::REQUEST_ID;

/// The span of one request: method, path and request id. Give it to
/// `TraceLayer::make_span_with`, inside the layers that set the request id. When the `request`
/// span is disabled (a level above `info`), nothing is read from the request.
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = request_id(request),
    )
}

/// The request's id, or an empty string.
fn request_id<B>(request: &Request<B>) -> &str {
    request.headers().get(&REQUEST_ID).and_then(|value| value.to_str().ok()).unwrap_or_default()
}
