//! The HTTP layer: routing, extractors, handlers, DTOs, OpenAPI and problem+json errors.
//! This is the only module that knows axum.

pub mod auth;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod problem;
pub mod users;

use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// The whole application: API, probes, OpenAPI document, Swagger UI and middleware.
pub fn router(state: AppState) -> Router {
    let (router, openapi) = api().split_for_parts();
    let router = router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state);
    middleware::wrap(router)
}

/// The routes with their OpenAPI description.
#[must_use]
pub fn api() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new().merge(auth::routes()).merge(users::routes());
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(API_PREFIX, api)
        .merge(health::routes())
}
