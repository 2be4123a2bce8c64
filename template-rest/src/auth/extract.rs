//! The extractors that authenticate a request, for any state that holds the verifier.
//!
//! [`CurrentUser`] verifies `Authorization: Bearer <jwt>`; [`RequireAdmin`] also requires the
//! token's role to be `admin`. Both work with any router state `S` for which
//! `Arc<TokenCodec>: FromRef<S>`, and refuse with an [`AuthRejection`]: an RFC 9457
//! `application/problem+json` 401 with `WWW-Authenticate: Bearer`, or a 403.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::actor::Actor;
use super::rejection::AuthRejection;
use super::tokens::TokenCodec;

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
