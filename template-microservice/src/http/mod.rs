//! The only module that knows axum: routes, extractors, handlers, problem+json, the accept
//! loop.
//!
//! - [`orders`]: `/api/v1/orders`; [`health`]: `/health/live`, `/health/ready`;
//!   [`metrics`]: `/metrics`.
//! - [`extract`]: JSON bodies, queries, the bearer token, path ids, the trace context.
//! - [`problem`]: RFC 9457 errors; [`middleware`]: the layers; [`serve`]: the accept loop.

pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod metrics;
pub(crate) mod middleware;
pub(crate) mod orders;
pub(crate) mod problem;
pub(crate) mod serve;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::services::rate_limit::RateLimit;
use crate::state::AppState;

/// Timeouts and limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerConfig {
    /// Longest a request may take (`REQUEST_TIMEOUT_SECS`, default 10).
    pub(crate) request_timeout: Duration,
    /// Longest a client may take to send its request head (`HEADER_READ_TIMEOUT_SECS`, 5).
    pub(crate) header_read_timeout: Duration,
    /// Longest the shutdown may take (`SHUTDOWN_TIMEOUT_SECS`, default 20).
    pub(crate) shutdown_timeout: Duration,
    /// Most connections open at once (`MAX_CONNECTIONS`, default 1024).
    pub(crate) max_connections: usize,
    /// Largest request body (`BODY_LIMIT_BYTES`, default 64 KiB).
    pub(crate) body_limit_bytes: usize,
    /// How long `/metrics` reuses its reading of the outbox backlog (`METRICS_CACHE_SECS`,
    /// default 5), so that scrapes cannot make the database count the outbox at will.
    pub(crate) metrics_cache: Duration,
    /// Orders one user may place (`ORDER_RATE_LIMIT_PER_MINUTE`, default 30, and
    /// `ORDER_RATE_LIMIT_BURST`, default 5).
    pub(crate) order_rate_limit: RateLimit,
}

/// The whole HTTP API, with its middleware.
pub(crate) fn router(state: AppState, config: &ServerConfig) -> Router {
    let routes = Router::new()
        .merge(orders::routes())
        .merge(health::routes())
        .merge(metrics::routes())
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes));
    middleware::wrap(routes, config.request_timeout).with_state(state)
}
