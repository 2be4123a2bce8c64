//! Extractors: the Rust counterpart of NestJS pipes and guards.
//!
//! [`ValidatedJson`] and [`ValidatedQuery`] parse and validate input, answering 400, 413, 415 or
//! 422 problems; [`UserId`] parses a path id. The bearer token is verified by
//! [`crate::auth::CurrentUser`], through `AppState`'s `FromRef`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::{StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use uuid::Uuid;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::problem::Problem;
use crate::problem::{AppError, FieldError};

/// A JSON body that parsed and passed its `validator` rules.
#[derive(Debug, Clone)]
pub(crate) struct ValidatedJson<T>(pub T);

impl<T, S> FromRequest<S> for ValidatedJson<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Problem::new(rejection.status(), rejection.body_text()))?;
        let value = parse_json::<T>(&bytes)?;
        validate(&value)?;
        Ok(Self(value))
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(content_type) = content_type.to_str() else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserialises JSON in two steps, so that malformed JSON (400) is never confused with
/// well-formed JSON of the wrong shape (422, naming the field).
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let document: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        Problem::new(StatusCode::BAD_REQUEST, format!("malformed JSON: {error}"))
    })?;
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        Problem::from(AppError::invalid(field_of(&path, &message), message))
    })
}

/// The field an error is about: the path, or for a missing field its name.
fn field_of(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// Query parameters that parsed and passed their `validator` rules.
#[derive(Debug, Clone)]
pub(crate) struct ValidatedQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ValidatedQuery<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        let value: T = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let field = error.path().to_string();
            Problem::from(AppError::invalid(field, error.into_inner().to_string()))
        })?;
        validate(&value)?;
        Ok(Self(value))
    }
}

fn validate<T: Validate>(value: &T) -> Result<(), Problem> {
    value.validate().map_err(|errors| Problem::from(AppError::Validation(field_errors(&errors))))
}

/// Flattens nested validation errors into `{field, message}` pairs, sorted by field.
#[must_use]
pub(crate) fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut flat = Vec::new();
    collect(errors, "", &mut flat);
    flat.sort_by(|left, right| left.field.cmp(&right.field));
    flat
}

fn collect(errors: &ValidationErrors, prefix: &str, flat: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => flat.extend(list.iter().map(|error| {
                let message = error
                    .message
                    .as_ref()
                    .map_or_else(|| error.code.to_string(), ToString::to_string);
                FieldError::new(path.clone(), message)
            })),
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, flat),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), flat);
                }
            }
        }
    }
}

/// A user id from the path; anything but a UUID is a 422.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for UserId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| Problem::new(rejection.status(), rejection.body_text()))?;
        let id =
            raw.parse().map_err(|_| Problem::from(AppError::invalid("id", "must be a UUID")))?;
        Ok(Self(id))
    }
}
