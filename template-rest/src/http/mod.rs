//! The HTTP layer: routing, extractors, handlers, DTOs and the OpenAPI document. With
//! [`crate::problem`], which turns errors into problem+json, and [`crate::observability`]
//! (request ids, spans, metrics), the only module that knows axum.

pub(crate) mod auth;
pub(crate) mod avatars;
pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod jwks;
pub(crate) mod metrics;
pub mod middleware;
pub(crate) mod openapi;
pub mod serve;
mod text;
pub(crate) mod users;

use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::HttpConfig;
use crate::problem;
use crate::state::AppState;

/// The prefix of every API route.
pub(crate) const API_PREFIX: &str = "/api/v1";

/// The whole application: API, probes, metrics, OpenAPI document, Swagger UI and middleware.
pub fn router(state: AppState, config: &HttpConfig) -> Router {
    let (router, mut openapi) = api(config).split_for_parts();
    openapi::add_common_responses(&mut openapi);
    avatars::describe_file_part(&mut openapi);
    let router = router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed);
    middleware::wrap(router, config, &state).with_state(state)
}

/// The routes with their OpenAPI description. `/metrics` is among them unless it has a port
/// of its own (`METRICS_PORT`; see [`metrics::router`]).
#[must_use]
pub(crate) fn api(config: &HttpConfig) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(avatars::routes(config.upload_limit_bytes));
    let router = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(API_PREFIX, api)
        .merge(health::routes())
        .merge(jwks::routes());
    if config.metrics.port.is_some() {
        return router;
    }
    router.routes(routes!(metrics::render))
}
