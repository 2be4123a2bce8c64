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
mod settings;
mod text;
pub(crate) mod users;

use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::problem;
use crate::state::AppState;

pub use settings::HttpSettings;

/// The prefix of every API route.
pub(crate) const API_PREFIX: &str = "/api/v1";

/// The whole application: API, probes, metrics, OpenAPI document, Swagger UI and middleware.
pub fn router(state: AppState, settings: &HttpSettings) -> Router {
    let (router, mut openapi) = api(settings, state.avatars.max_bytes()).split_for_parts();
    openapi::add_common_responses(&mut openapi);
    avatars::describe_file_part(&mut openapi);
    let router = router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed);
    middleware::wrap(router, settings, &state).with_state(state)
}

/// The routes with their OpenAPI description. `/metrics` is among them unless it has a port
/// of its own (`METRICS_PORT`; see [`metrics::router`]). Avatar uploads may be as large as
/// `upload_limit` bytes.
#[must_use]
pub(crate) fn api(settings: &HttpSettings, upload_limit: usize) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(avatars::routes(upload_limit));
    let router = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(API_PREFIX, api)
        .merge(health::routes())
        .merge(jwks::routes());
    if settings.metrics.port.is_some() {
        return router;
    }
    router.routes(routes!(metrics::render))
}
