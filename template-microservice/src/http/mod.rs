//! The only module that knows axum: routes, extractors, handlers, problem+json, the accept
//! loop.
//!
//! - [`orders`]: `/api/v1/orders`; [`health`]: `/health/live`, `/health/ready`;
//!   [`metrics`]: `/metrics`.
//! - [`extract`]: JSON bodies, queries, the bearer token, path ids, the trace context.
//! - [`problem`]: RFC 9457 errors; [`middleware`]: the layers; [`serve`]: the accept loop.

pub mod extract;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod orders;
pub mod problem;
pub mod serve;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::services::rate_limit::RateLimit;
use crate::state::AppState;

/// Timeouts and limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Longest a request may take (`REQUEST_TIMEOUT_SECS`, default 10).
    pub request_timeout: Duration,
    /// Longest a client may take to send its request head (`HEADER_READ_TIMEOUT_SECS`, 5).
    pub header_read_timeout: Duration,
    /// Longest the shutdown may take (`SHUTDOWN_TIMEOUT_SECS`, default 20).
    pub shutdown_timeout: Duration,
    /// Most connections open at once (`MAX_CONNECTIONS`, default 1024).
    pub max_connections: usize,
    /// Largest request body (`BODY_LIMIT_BYTES`, default 64 KiB).
    pub body_limit_bytes: usize,
    /// How long `/metrics` reuses its reading of the outbox backlog (`METRICS_CACHE_SECS`,
    /// default 5), so that scrapes cannot make the database count the outbox at will.
    pub metrics_cache: Duration,
    /// Orders one user may place (`ORDER_RATE_LIMIT_PER_MINUTE`, default 30, and
    /// `ORDER_RATE_LIMIT_BURST`, default 5).
    pub order_rate_limit: RateLimit,
}

/// The whole HTTP API, with its middleware.
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let routes = Router::new()
        .merge(orders::routes())
        .merge(health::routes())
        .merge(metrics::routes())
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes));
    middleware::wrap(routes, config.request_timeout).with_state(state)
}
