//! `/users/{id}/avatar`: upload (multipart) and download.

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio_util::io::ReaderStream;
use utoipa::ToSchema;
use utoipa::openapi::encoding::Encoding;
use utoipa::openapi::{OpenApi, RefOr};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::UserId;
use crate::auth::CurrentUser;
use crate::domain::avatar::ImageType;
use crate::problem::Problem;
use crate::problem::openapi::{
    Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use crate::problem::{AppError, FieldError};
use crate::state::AppState;

/// Room for the multipart framing around the file itself.
const MULTIPART_OVERHEAD: usize = 16 * 1024;
/// The most of a file held in memory while it is sent.
const CHUNK_BYTES: usize = 64 * 1024;

/// The upload form: exactly one part, the file, named `file`. Any other part is refused (422),
/// as the schema says with `additionalProperties: false`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes the multipart form for OpenAPI only")]
pub(crate) struct AvatarUpload {
    /// A PNG, JPEG or WebP image.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The avatar routes; uploads may be as large as `upload_limit` bytes.
pub(crate) fn routes(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, download))
        .layer(DefaultBodyLimit::max(upload_limit + MULTIPART_OVERHEAD))
}

/// Says in the document that the `file` part is a PNG, JPEG or WebP image (its `encoding`), so
/// that clients and fuzzers know which bytes the upload accepts. `utoipa::path` cannot say it.
pub(crate) fn describe_file_part(openapi: &mut OpenApi) {
    let path = format!("{}/users/{{id}}/avatar", super::API_PREFIX);
    let upload = openapi.paths.paths.get_mut(&path).and_then(|item| item.put.as_mut());
    let Some(RefOr::T(body)) = upload.and_then(|operation| operation.request_body.as_mut()) else {
        return;
    };
    let Some(RefOr::T(form)) = body.content.get_mut("multipart/form-data") else { return };
    let types: Vec<&str> = ImageType::ALL.iter().map(|kind| kind.content_type()).collect();
    let encoding = Encoding::builder().content_type(Some(types.join(", "))).build();
    form.encoding.insert("file".to_owned(), encoding);
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

/// The bytes of the one part, `file`, refusing more than `limit`. Any other part, or a second
/// `file`, is refused with every bad part named, as for JSON bodies.
async fn read_file(mut multipart: Multipart, limit: usize) -> Result<Vec<u8>, Problem> {
    let (mut file, mut errors) = (None, Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|error| multipart_error(&error))? {
        match field.name() {
            Some("file") if file.is_none() => file = Some(read_part(field, limit).await?),
            Some("file") => errors.push(FieldError::new("file", "only one `file` part is allowed")),
            other => errors.push(FieldError::new(
                other.unwrap_or("body"),
                "unknown part: the body has one part, `file`",
            )),
        }
    }
    if file.is_none() {
        errors.push(FieldError::new("file", "a file field named `file` is required"));
    }
    match file {
        Some(bytes) if errors.is_empty() => Ok(bytes),
        _ => {
            errors.sort_by(|left, right| left.field.cmp(&right.field));
            Err(Problem::from(AppError::Validation(errors)))
        }
    }
}

/// The bytes of one part, refusing more than `limit`.
async fn read_part(mut field: Field<'_>, limit: usize) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|error| multipart_error(&error))? {
        if bytes.len() + chunk.len() > limit {
            return Err(Problem::from(AppError::PayloadTooLarge(
                "the image is larger than allowed",
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
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

/// A user's avatar, with the content type detected at upload, streamed from storage. Public,
/// so that `<img>` tags can show it.
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
    let (kind, blob) = state.avatars.download(id).await?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(kind.content_type())),
        (header::CONTENT_LENGTH, HeaderValue::from(blob.length)),
    ];
    let body = Body::from_stream(ReaderStream::with_capacity(blob.reader, CHUNK_BYTES));
    Ok((headers, body).into_response())
}
