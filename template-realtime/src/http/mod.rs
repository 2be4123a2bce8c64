//! The HTTP layer: routing, authentication, the WebSocket upgrade, SSE, the room routes,
//! probes, metrics, the demo page and problem+json errors. This is the only module that knows
//! axum's routing.

pub(crate) mod auth;
pub(crate) mod demo;
pub(crate) mod health;
pub(crate) mod metrics;
pub(crate) mod problem;
pub(crate) mod rooms;
pub(crate) mod serve;
mod settings;
pub(crate) mod sse;
pub mod state;
pub(crate) mod tickets;
pub(crate) mod ws;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::{get, post};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

pub(crate) use settings::HttpSettings;

use state::AppState;

/// The span of a request: method and path, never the query, which may carry a token.
fn span(request: &axum::extract::Request) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let body_limit = DefaultBodyLimit::max(state.http.max_body_bytes);
    Router::new()
        .route("/", get(demo::page))
        .route("/ws", get(ws::upgrade))
        .route("/rooms/{room}/events", get(sse::events))
        .route("/rooms/{room}/presence", get(rooms::presence))
        .route("/rooms/{room}/messages", post(rooms::publish).layer(body_limit))
        .route("/sse-tickets", post(tickets::issue))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::SEC_WEBSOCKET_PROTOCOL,
        ]))
        .with_state(state)
}
