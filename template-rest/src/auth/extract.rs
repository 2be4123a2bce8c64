//! The extractors that authenticate a request, for any state that holds the verifier.
//!
//! [`CurrentUser`] verifies `Authorization: Bearer <jwt>`; [`RequireRole<R>`] also requires
//! the token's role to pass `R`, a [`RoleRequirement`] (the module's own is [`Admin`]; an app
//! writes its own for the roles it has). Both work with any router state `S` for which
//! `Arc<TokenCodec>: FromRef<S>`, and refuse with an [`AuthRejection`]: an RFC 9457
//! `application/problem+json` 401 with `WWW-Authenticate: Bearer`, or a 403.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::actor::{Actor, Role};
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

/// Which roles a route admits: implement it for a marker type of your own, and take
/// [`RequireRole<YourMarker>`](RequireRole) in the handler. [`Admin`] is the module's own; an
/// app with more roles adds them to [`Role`] in its copy of `actor.rs` and writes a marker for
/// each set of roles a route admits.
pub trait RoleRequirement {
    /// The `detail` of the 403 problem when the token's role is refused.
    const DENIED: &'static str;

    /// Whether a token issued with `role` may pass.
    fn admits(role: Role) -> bool;
}

/// Administrators only: [`RequireRole<Admin>`](RequireRole).
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl RoleRequirement for Admin {
    const DENIED: &'static str = "administrators only";

    fn admits(role: Role) -> bool {
        role == Role::Admin
    }
}

/// An authenticated caller whose token's role `R` admits, else a 403 with `R::DENIED`. The role
/// is the one the token was issued with: where a demotion must take effect before the token
/// expires, read it again from your store instead. In a handler:
/// `RequireRole { actor, .. }: RequireRole<Admin>`.
pub struct RequireRole<R> {
    /// The caller, as the token states them.
    pub actor: Actor,
    requirement: PhantomData<fn() -> R>,
}

// By hand: derived, they would ask the same of the marker `R`.
impl<R> Clone for RequireRole<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for RequireRole<R> {}

impl<R> fmt::Debug for RequireRole<R> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("RequireRole").field("actor", &self.actor).finish()
    }
}

impl<S, R> FromRequestParts<S> for RequireRole<R>
where
    Arc<TokenCodec>: FromRef<S>,
    S: Send + Sync,
    R: RoleRequirement,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        let CurrentUser(actor) = CurrentUser::from_request_parts(parts, state).await?;
        if !R::admits(actor.role) {
            return Err(AuthRejection::forbidden(R::DENIED));
        }
        Ok(Self { actor, requirement: PhantomData })
    }
}
