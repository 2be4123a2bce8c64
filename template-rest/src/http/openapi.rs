//! The OpenAPI 3.1 document, generated from the handlers, and the reusable error responses
//! that every route refers to.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use super::problem::Problem;

/// The document's root: metadata, security scheme and shared components. Paths are added
/// from the routers.
#[derive(OpenApi)]
#[openapi(
    info(description = "Users, authentication and roles. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    components(responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
        UnsupportedMediaType, Unprocessable, TooManyRequests
    )),
    tags(
        (name = "auth", description = "Registration, login and sessions"),
        (name = "users", description = "User accounts"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// 400: the body is not valid JSON.
#[derive(ToResponse)]
#[response(description = "Malformed JSON", content_type = "application/problem+json")]
pub struct BadRequest(pub Problem);

/// 401: missing, invalid or expired credentials.
#[derive(ToResponse)]
#[response(
    description = "Missing or invalid credentials",
    content_type = "application/problem+json"
)]
pub struct Unauthorized(pub Problem);

/// 403: authenticated, but not allowed.
#[derive(ToResponse)]
#[response(description = "Not allowed", content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// 404: no such resource, or not visible to the caller.
#[derive(ToResponse)]
#[response(description = "Not found, or not yours", content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// 409: conflicts with existing data.
#[derive(ToResponse)]
#[response(description = "Conflicts with existing data", content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// 413: the body is larger than allowed.
#[derive(ToResponse)]
#[response(description = "Body too large", content_type = "application/problem+json")]
pub struct PayloadTooLarge(pub Problem);

/// 415: the body is not JSON.
#[derive(ToResponse)]
#[response(description = "Content-Type is not JSON", content_type = "application/problem+json")]
pub struct UnsupportedMediaType(pub Problem);

/// 422: fields are invalid; each one is listed in `errors`.
#[derive(ToResponse)]
#[response(
    description = "Invalid fields, listed in `errors`",
    content_type = "application/problem+json"
)]
pub struct Unprocessable(pub Problem);

/// 429: too many requests from this client or for this account.
#[derive(ToResponse)]
#[response(
    description = "Too many requests; see Retry-After",
    content_type = "application/problem+json",
    headers(("retry-after" = u64, description = "Seconds to wait"))
)]
pub struct TooManyRequests(pub Problem);
