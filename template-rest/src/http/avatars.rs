//! `/users/{id}/avatar`: upload (multipart) and download.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{CurrentUser, UserId};
use super::openapi::{
    Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use super::problem::Problem;
use crate::error::AppError;
use crate::state::AppState;

/// Room for the multipart framing around the file itself.
const MULTIPART_OVERHEAD: usize = 16 * 1024;

/// The upload form: one file field named `file`.
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes the multipart form for OpenAPI only")]
pub struct AvatarUpload {
    /// A PNG, JPEG or WebP image.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The avatar routes; uploads may be as large as `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, download))
        .layer(DefaultBodyLimit::max(upload_limit + MULTIPART_OVERHEAD))
}

/// Upload one's avatar.
#[utoipa::path(put, path = "/users/{id}/avatar", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    request_body(content = AvatarUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Stored"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    ))]
async fn upload(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    UserId(id): UserId,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<StatusCode, Problem> {
    let multipart = multipart.map_err(|_| {
        Problem::from(AppError::UnsupportedMediaType("expected multipart/form-data"))
    })?;
    let bytes = read_file(multipart, state.avatars.max_bytes()).await?;
    state.avatars.upload(actor, id, bytes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The bytes of the `file` field, refusing more than `limit`.
async fn read_file(mut multipart: Multipart, limit: usize) -> Result<Vec<u8>, Problem> {
    let too_large = || Problem::from(AppError::PayloadTooLarge("the image is larger than allowed"));
    while let Some(mut field) =
        multipart.next_field().await.map_err(|error| multipart_error(&error))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|error| multipart_error(&error))? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(Problem::from(AppError::invalid("file", "a file field named `file` is required")))
}

fn multipart_error(error: &axum::extract::multipart::MultipartError) -> Problem {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::from(AppError::PayloadTooLarge("the image is larger than allowed"));
    }
    Problem::new(
        StatusCode::BAD_REQUEST,
        format!("malformed multipart body: {}", error.body_text()),
    )
}

/// A user's avatar, with the content type detected at upload. Public, so that `<img>` tags
/// can show it.
#[utoipa::path(get, path = "/users/{id}/avatar", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The image", content(
            (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp")
        )),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
async fn download(State(state): State<AppState>, UserId(id): UserId) -> Result<Response, Problem> {
    let (kind, bytes) = state.avatars.download(id).await?;
    Ok(([(header::CONTENT_TYPE, kind.content_type())], bytes).into_response())
}
