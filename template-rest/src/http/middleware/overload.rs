//! Overload protection: load shedding past the concurrency limit, a per-request timeout, and
//! panics turned into a bare 500 while the process keeps serving.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::{BoxError, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::HttpConfig;
use crate::problem::Problem;
use crate::state::AppState;

/// How long a shed or timed-out client should wait before retrying.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Adds, from the inside out: panic recovery, the request timeout, and load shedding.
pub fn apply(router: Router<AppState>, config: &HttpConfig) -> Router<AppState> {
    let shed = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overloaded))
        .layer(LoadShedLayer::new())
        .layer(GlobalConcurrencyLimitLayer::new(config.concurrency_limit));
    router
        .layer(CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn_with_state(config.request_timeout, timeout))
        .layer(shed)
}

/// Past the concurrency limit, answers 503 at once instead of queueing.
async fn overloaded(error: BoxError) -> Problem {
    if error.is::<tower::load_shed::error::Overloaded>() {
        metrics::counter!("load_shed_total").increment(1);
        return Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the service is overloaded, retry later",
        )
        .with_retry_after(RETRY_AFTER);
    }
    tracing::error!(%error, "middleware error");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "an unexpected error occurred")
}

/// Answers 503 when the request takes longer than the configured limit.
async fn timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    if let Ok(response) = tokio::time::timeout(limit, next.run(request)).await {
        return response;
    }
    tracing::warn!(?limit, "request timed out");
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the request took too long")
        .with_retry_after(RETRY_AFTER)
        .into_response()
}

/// A panic in a handler: logged with its message, answered with a 500 that reveals nothing.
#[expect(clippy::needless_pass_by_value, reason = "CatchPanicLayer passes the payload by value")]
fn panicked(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "an unexpected error occurred").into_response()
}
