//! The middleware stack, outermost first:
//!
//! 1. `Authorization` marked sensitive, so no log shows it;
//! 2. a request id taken from `x-request-id` or generated, and echoed;
//! 3. the W3C trace context: the caller's `traceparent` (or a new trace), with a span of this
//!    service, stored for handlers and recorded in the request's tracing span;
//! 4. security headers;
//! 5. metrics per method, route template and status, none of them a value the client chooses:
//!    a method outside the standard nine is `OTHER`, a path that matches no route is
//!    `unmatched` (never the raw path, whose ids would explode the label space);
//! 6. a per-request timeout (503 problem).

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument as _;

use super::problem::Problem;
use crate::domain::trace::{TRACEPARENT, TraceContext};
use crate::state::AppState;
use crate::telemetry;

/// The request-id header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the middleware stack.
pub(crate) fn wrap(router: Router<AppState>, timeout: Duration) -> Router<AppState> {
    let router = router
        .layer(axum::middleware::from_fn(move |request, next| with_timeout(timeout, request, next)))
        .layer(axum::middleware::from_fn(record_metrics))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    router.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION]))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(axum::middleware::from_fn(trace_context)),
    )
}

/// Attaches this service's span of the caller's trace, and runs the request in a tracing span
/// that carries the trace id and the request id.
async fn trace_context(mut request: Request, next: Next) -> Response {
    let incoming = request.headers().get(TRACEPARENT).and_then(|value| value.to_str().ok());
    let parent = TraceContext::from_header(incoming);
    let request_id = request.headers().get(REQUEST_ID).and_then(|value| value.to_str().ok());
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = request_id.unwrap_or_default(),
        trace_id = %parent.trace_id(),
    );
    request.extensions_mut().insert(telemetry::link(&span, parent));
    next.run(request).instrument(span).await
}

/// The methods of RFC 9110 and RFC 5789, recorded by name; any other is `OTHER`.
static STANDARD_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::CONNECT,
    Method::OPTIONS,
    Method::TRACE,
    Method::PATCH,
];

/// The route label of a request that matched no route.
const UNMATCHED: &str = "unmatched";

/// The method label: the method's name if it is standard, else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    STANDARD_METHODS.iter().find(|standard| *standard == method).map_or("OTHER", Method::as_str)
}

async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method.to_owned()), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

async fn with_timeout(timeout: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the request took too long")
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_keep_their_name_and_others_are_other() {
        for method in &STANDARD_METHODS {
            assert_eq!(method_label(method), method.as_str());
        }
        for other in ["get", "BREW", "PROPFIND", "X"] {
            assert_eq!(method_label(&Method::from_bytes(other.as_bytes()).unwrap()), "OTHER");
        }
    }
}
