//! `/health/live` and `/health/ready`.
//!
//! Readiness is 200 only when the database answers, the broker is connected and shutdown has
//! not begun; it reports each breaker's state too (an open breaker degrades one route, it
//! does not make the instance unready).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// Longest the database probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/health/live", get(live)).route("/health/ready", get(ready))
}

async fn live() -> Response {
    axum::Json(json!({ "status": "alive" })).into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    let readiness = &state.readiness;
    let probe = tokio::time::timeout(PROBE_TIMEOUT, readiness.database.ping()).await;
    let database = matches!(probe, Ok(Ok(())));
    let broker = readiness.broker.is_connected();
    let draining = readiness.shutdown.is_draining();
    let breakers: Map<String, Value> = readiness
        .breakers
        .iter()
        .map(|breaker| (breaker.name().to_owned(), Value::from(breaker.state())))
        .collect();
    let is_ready = database && broker && !draining;
    let body = json!({
        "status": if is_ready { "ready" } else { "not_ready" },
        "checks": {
            "database": up(database),
            "nats": up(broker),
            "shutting_down": draining,
            "breakers": breakers,
        },
    });
    let status = if is_ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}

fn up(ok: bool) -> &'static str {
    if ok { "up" } else { "down" }
}
