//! The OpenAPI descriptions of the problem responses, for a document built with utoipa
//! (the `openapi` cargo feature).
//!
//! Each type is a reusable response, named after its status: list them in
//! `#[openapi(components(responses(...)))]` and refer to them from a route's `responses(...)`.
//! [`super::Problem`] and [`super::FieldError`] derive `utoipa::ToSchema` under the same feature.

use utoipa::ToResponse;

use super::Problem;

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
