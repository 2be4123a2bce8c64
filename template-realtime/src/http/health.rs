//! Liveness and readiness probes.
//!
//! `/health/live` answers 200 while the process serves requests at all. `/health/ready`
//! answers 200 only when the broker answers too, and 503 once shutdown has begun, so a load
//! balancer stops sending new connections before the listener closes.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::state::AppState;
use crate::error::{AppError, AppResult};

/// A healthy probe answer.
#[derive(Debug, Serialize)]
pub(crate) struct HealthStatus {
    /// `ok`.
    pub(crate) status: &'static str,
}

/// The process is up.
pub(crate) async fn live() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

/// The node can take connections: the broker answers and shutdown has not begun.
///
/// # Errors
/// 503 while shutting down or when the broker does not answer.
pub(crate) async fn ready(State(state): State<AppState>) -> AppResult<Json<HealthStatus>> {
    if state.shutdown.is_draining() {
        return Err(AppError::unavailable("the server is shutting down"));
    }
    state.rooms.broker().ping().await?;
    Ok(Json(HealthStatus { status: "ok" }))
}
