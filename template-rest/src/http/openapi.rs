//! The OpenAPI 3.1 document, generated from the handlers, and the reusable error responses
//! that every route refers to.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
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
        UnsupportedMediaType, Unprocessable, TooManyRequests, ServiceUnavailable, InternalError
    )),
    tags(
        (name = "auth", description = "Registration, login and sessions"),
        (name = "users", description = "User accounts"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

/// Adds the responses that the middleware can give on any route, so that the document says
/// exactly what is served: 429 (rate limit), 500 (a panic), 503 (load shedding, timeout, or the
/// database down), and for routes with a body 400, 413 and 415.
pub fn add_common_responses(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            add_common(operation);
        }
    }
}

fn add_common(operation: &mut Operation) {
    let mut common =
        vec![("429", "TooManyRequests"), ("500", "InternalError"), ("503", "ServiceUnavailable")];
    if operation.request_body.is_some() {
        common.extend([
            ("400", "BadRequest"),
            ("413", "PayloadTooLarge"),
            ("415", "UnsupportedMediaType"),
        ]);
    }
    for (status, response) in common {
        let reference = RefOr::Ref(Ref::from_response_name(response));
        operation.responses.responses.entry(status.to_owned()).or_insert(reference);
    }
}

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

/// 503: overloaded, too slow, or the database is down; see Retry-After.
#[derive(ToResponse)]
#[response(
    description = "Temporarily unavailable; see Retry-After",
    content_type = "application/problem+json",
    headers(("retry-after" = u64, description = "Seconds to wait"))
)]
pub struct ServiceUnavailable(pub Problem);

/// 500: a bug; the body says nothing more.
#[derive(ToResponse)]
#[response(description = "Unexpected error", content_type = "application/problem+json")]
pub struct InternalError(pub Problem);
