//! The middleware stack, outermost first:
//!
//! 1. secrets (`Authorization`, cookies) marked sensitive, so no log shows them;
//! 2. a request id taken from `x-request-id` when well-formed, generated otherwise, and echoed;
//! 3. a tracing span per request, carrying the request id;
//! 4. security headers, and CORS for the configured origins;
//! 5. metrics per method, route template and status;
//! 6. a rate limit per client IP (429);
//! 7. load shedding past the concurrency limit (503), never an unbounded queue;
//! 8. a per-request timeout (503);
//! 9. panics turned into a bare 500;
//! 10. the body size limit (413), enforced by the extractors.

mod headers;
mod overload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use tower::ServiceBuilder;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

use crate::http::HttpSettings;
use crate::observability;
use crate::ratelimit::PerClientLayer;
use crate::state::AppState;

/// Wraps `router` in the middleware stack.
///
/// The whole stack is one `Router::layer` call: axum boxes each route again, with its future,
/// for every call, so ten calls cost ten boxed futures per request where one costs one. No
/// layer of the stack allocates a future of its own but the rate limit (see
/// `ratelimit::PerClientLayer`).
pub fn wrap(
    router: Router<AppState>,
    settings: &HttpSettings,
    state: &AppState,
) -> Router<AppState> {
    let sensitive = [header::AUTHORIZATION, header::COOKIE, header::SET_COOKIE];
    router.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new(sensitive))
            .layer(observability::RequestIdLayer)
            .layer(TraceLayer::new_for_http().make_span_with(observability::request_span))
            .option_layer(headers::cors(&settings.cors_allowed_origins))
            .layer(headers::SecurityHeadersLayer::new(settings))
            .layer(observability::MetricsLayer::default())
            .layer(PerClientLayer::new(state.rate_limiter.clone(), state.client_ip.clone()))
            .layer(overload::OverloadLayer::new(settings))
            .layer(DefaultBodyLimit::max(settings.body_limit_bytes)),
    )
}
