//! The OpenAPI 3.1 document, generated from the handlers. The reusable error responses that
//! every route refers to are in [`crate::problem::openapi`].

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::problem::openapi::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, ServiceUnavailable,
    TooManyRequests, Unauthorized, Unprocessable, UnsupportedMediaType,
};

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
pub(crate) struct ApiDoc;

/// Adds the responses that the middleware can give on any route, so that the document says
/// exactly what is served: 429 (rate limit), 500 (a panic), 503 (load shedding, timeout, or the
/// database down), and for routes with a body 400, 413 and 415.
pub(crate) fn add_common_responses(openapi: &mut utoipa::openapi::OpenApi) {
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
