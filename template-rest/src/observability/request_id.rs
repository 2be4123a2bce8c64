//! Request ids: reuse the caller's `x-request-id` when it is well-formed, generate one
//! otherwise, and echo it on the response.

use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// The header that carries the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a caller.
const MAX_LENGTH: usize = 128;

/// Drops an incoming request id that is too long or has characters other than letters,
/// digits, `-`, `_`, `.` and `:`, so that a fresh one replaces it and logs stay clean.
pub async fn sanitize_request_id(mut request: Request, next: Next) -> Response {
    let well_formed = request.headers().get(&REQUEST_ID).is_none_or(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_LENGTH
            && bytes.iter().all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(byte))
    });
    if !well_formed {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// Generates a UUID when the request has no id.
pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid)
}

/// Copies the id onto the response.
pub fn propagate_request_id() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(REQUEST_ID)
}
