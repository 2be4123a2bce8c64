//! Extractors: validated JSON bodies and queries, the authenticated user, the order id of a
//! path, and the request's trace context.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::problem::Problem;
use crate::domain::trace::TraceContext;
use crate::error::AppError;
use crate::state::AppState;

/// A JSON body that parsed into `T`: 415 without a JSON content type, 400 for malformed JSON,
/// 422 naming the field for JSON of the wrong shape, 413 past the body limit.
#[derive(Debug, Clone)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            let message = "expected a body with Content-Type: application/json";
            return Err(AppError::UnsupportedMediaType(message).into());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Problem::new(rejection.status(), rejection.body_text()))?;
        let document: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|error| AppError::BadRequest(format!("malformed JSON: {error}")))?;
        let value = serde_path_to_error::deserialize(document).map_err(|error| {
            let path = error.path().to_string();
            AppError::invalid(
                if path == "." { "body".to_owned() } else { path },
                error.into_inner().to_string(),
            )
        })?;
        Ok(Self(value))
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let essence = content_type.unwrap_or_default().split(';').next().unwrap_or_default();
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Query parameters that parsed into `T`, or 422.
#[derive(Debug, Clone)]
pub(crate) struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::try_from_uri(&parts.uri)
            .map_err(|rejection| AppError::invalid("query", rejection.body_text()))?;
        Ok(Self(value))
    }
}

/// The user of a valid bearer token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CurrentUser(pub Uuid);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
        let token = header.and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
        let token = token.ok_or(AppError::Unauthorized("a bearer token is required"))?;
        Ok(Self(state.tokens.verify(token).await?))
    }
}

/// An order id from the path; anything that is not a UUID is a 404, like an unknown id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrderId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for OrderId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Problem::new(StatusCode::NOT_FOUND, "no such order"))?;
        let id = Uuid::parse_str(&id)
            .map_err(|_| Problem::new(StatusCode::NOT_FOUND, "no such order"))?;
        Ok(Self(id))
    }
}

/// The trace context the middleware attached (this service's span in the caller's trace).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trace(pub TraceContext);

impl<S: Send + Sync> FromRequestParts<S> for Trace {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let context = parts.extensions.get::<TraceContext>().copied();
        Ok(Self(context.unwrap_or_else(TraceContext::new_root)))
    }
}
