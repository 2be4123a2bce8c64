//! `GET /metrics`: Prometheus text format. Expose it only to the scraper (block it at the
//! proxy, or bind a private network), since it reveals traffic patterns.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

/// Prometheus metrics, with the pool gauges refreshed at scrape time.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let pool = state.health.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections")
        .set(u32::try_from(pool.idle).map_or(f64::MAX, f64::from));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
