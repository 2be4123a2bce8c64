//! Liveness and readiness probes.
//!
//! `/health/live` answers 200 while the process serves requests at all. `/health/ready` answers
//! 200 only when the database answers too, and 503 once shutdown has begun, so a load balancer
//! stops sending traffic before the listener closes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;
use crate::services::DATABASE_RETRY_AFTER;
use crate::state::AppState;

/// A healthy probe answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthStatus {
    /// `ok`.
    #[schema(example = "ok")]
    pub(crate) status: &'static str,
}

/// The probe routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ready))
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "Alive", body = HealthStatus)))]
async fn live() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

/// The service can take traffic: the database answers and shutdown has not begun.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready", body = HealthStatus),
        (status = 503, description = "Not ready: database down or shutting down", body = Problem,
         content_type = "application/problem+json"),
    ))]
async fn ready(State(state): State<AppState>) -> Result<Json<HealthStatus>, Problem> {
    if state.shutdown.is_draining() {
        return Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down"));
    }
    if let Err(error) = state.health.ping().await {
        tracing::warn!(%error, "readiness check failed");
        return Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable")
            .with_retry_after(DATABASE_RETRY_AFTER));
    }
    Ok(Json(HealthStatus { status: "ok" }))
}
