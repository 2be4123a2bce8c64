//! `/metrics` in the Prometheus text format. The outbox gauges (depth, age of the oldest
//! unsent event) are read from the database at most once per `METRICS_CACHE_SECS`, whoever
//! scrapes and however often: a scrape within that window reuses the last reading
//! ([`crate::state::BacklogCache`]).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
}

async fn render(State(state): State<AppState>) -> Response {
    if let Some(backlog) = state.backlog.read().await {
        #[expect(clippy::cast_precision_loss, reason = "a gauge is a float")]
        metrics::gauge!("outbox_depth").set(backlog.depth as f64);
        metrics::gauge!("outbox_oldest_age_seconds").set(backlog.oldest_age_secs);
    }
    let content_type = "text/plain; version=0.0.4";
    ([(header::CONTENT_TYPE, content_type)], state.metrics.render()).into_response()
}
