//! `/metrics` in the Prometheus text format. The outbox gauges (depth, age of the oldest
//! unsent event) are read from the database at each scrape.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
use crate::telemetry;

/// The metrics route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
}

async fn render(State(state): State<AppState>) -> Response {
    match state.outbox.backlog().await {
        Ok(backlog) => {
            #[expect(clippy::cast_precision_loss, reason = "a gauge is a float")]
            metrics::gauge!("outbox_depth").set(backlog.depth as f64);
            metrics::gauge!("outbox_oldest_age_seconds").set(backlog.oldest_age_secs);
        }
        Err(error) => telemetry::warn("cannot read the outbox backlog", &error),
    }
    let content_type = "text/plain; version=0.0.4";
    ([(header::CONTENT_TYPE, content_type)], state.metrics.render()).into_response()
}
