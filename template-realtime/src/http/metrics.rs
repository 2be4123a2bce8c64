//! `GET /metrics`: Prometheus text format. Expose it only to the scraper (block it at the
//! proxy, or bind a private network), since it reveals traffic patterns.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::state::AppState;

pub(crate) async fn render(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
