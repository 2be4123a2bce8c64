//! The extractors that authenticate a request, for any state that holds the verifier.
//!
//! [`CurrentUser`] verifies `Authorization: Bearer <jwt>`; [`RequireAdmin`] also requires the
//! token's role to be `admin`. Both work with any router state `S` for which
//! `Arc<TokenCodec>: FromRef<S>`, and refuse with an [`AuthRejection`]: an RFC 9457
//! `application/problem+json` 401 with `WWW-Authenticate: Bearer`, or a 403.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::actor::Actor;
use super::tokens::TokenCodec;

const PROBLEM_JSON: &str = "application/problem+json";

/// Why a request was not authenticated (401) or not allowed (403), answered as problem+json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct AuthRejection {
    status: StatusCode,
    detail: &'static str,
}

impl AuthRejection {
    /// 401: no token, or a token that does not verify.
    #[must_use]
    pub fn unauthorized(detail: &'static str) -> Self {
        Self { status: StatusCode::UNAUTHORIZED, detail }
    }

    /// 403: a valid token whose role is not enough.
    #[must_use]
    pub fn forbidden(detail: &'static str) -> Self {
        Self { status: StatusCode::FORBIDDEN, detail }
    }

    /// 401 or 403.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, for a human.
    #[must_use]
    pub fn detail(&self) -> &'static str {
        self.detail
    }
}

/// The RFC 9457 document of a rejection.
#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    problem_type: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            problem_type: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The authenticated caller, from `Authorization: Bearer <jwt>`.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser(pub Actor);

impl<S> FromRequestParts<S> for CurrentUser
where
    Arc<TokenCodec>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))
            })
            .ok_or_else(|| AuthRejection::unauthorized("missing Authorization: Bearer token"))?;
        let actor = Arc::<TokenCodec>::from_ref(state).verify(token.trim())?;
        Ok(Self(actor))
    }
}

/// An authenticated caller whose token says `admin`. The role is the one the token was issued
/// with: where a demotion must take effect before the token expires, read it again from your
/// store instead.
#[derive(Debug, Clone, Copy)]
pub struct RequireAdmin(pub Actor);

impl<S> FromRequestParts<S> for RequireAdmin
where
    Arc<TokenCodec>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        let CurrentUser(actor) = CurrentUser::from_request_parts(parts, state).await?;
        if !actor.is_admin() {
            return Err(AuthRejection::forbidden("administrators only"));
        }
        Ok(Self(actor))
    }
}
