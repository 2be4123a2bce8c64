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

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::config::ServerConfig;
use crate::state::AppState;

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
