//! `GET /metrics`: Prometheus text format. Expose it only to the scraper, since it reveals
//! traffic patterns: with `METRICS_PORT` it moves to a listener of its own ([`router`]), which
//! can stay on a private network, and the public listener answers it with 404.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::problem;
use crate::state::AppState;

/// Where `/metrics` is served: on the public port by default, or on a port of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MetricsSettings {
    /// A separate port for `/metrics` (`METRICS_PORT`, default none: `/metrics` is on the
    /// public port). When set, the public listener answers `/metrics` with 404, so the port can
    /// stay on a private network that only the scraper reaches.
    pub(crate) port: Option<u16>,
}

/// The router of the metrics port: `GET /metrics` and nothing else.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .fallback(problem::route_not_found)
        .with_state(state)
}

/// Prometheus metrics, with the pool gauges refreshed at scrape time.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(crate) async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let pool = state.health.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections")
        .set(u32::try_from(pool.idle).map_or(f64::MAX, f64::from));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
