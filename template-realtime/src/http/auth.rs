//! Authentication of HTTP requests: the access token from `Authorization: Bearer`, from the
//! WebSocket subprotocol pair `bearer, <token>` (browsers cannot set headers on a WebSocket),
//! or, for SSE only, since `EventSource` cannot set headers either, a single-use `ticket`
//! (see [`crate::tickets`]) or the token itself in the `access_token` query parameter
//! (RFC 6750, section 2.3; it then lands in access logs, so tickets are the better way).

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use axum::http::request::Parts;

use super::state::AppState;
use crate::auth::Identity;
use crate::error::AppError;

/// The subprotocol a browser names before its token, and that the server then selects.
pub(crate) const BEARER_PROTOCOL: &str = "bearer";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    /// Who the token speaks for.
    pub(crate) identity: Identity,
    /// The token came as a subprotocol, which the upgrade must then select.
    pub(crate) via_subprotocol: bool,
}

/// An authenticated caller of an SSE stream, who may also pass the token in the query.
#[derive(Debug, Clone)]
pub(crate) struct StreamBearer(pub Identity);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(token) = header_token(parts) {
            return Ok(Self { identity: verify(state, token).await?, via_subprotocol: false });
        }
        let token = subprotocol_token(parts).ok_or(MISSING)?;
        Ok(Self { identity: verify(state, token).await?, via_subprotocol: true })
    }
}

impl FromRequestParts<AppState> for StreamBearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(token) = header_token(parts) {
            return Ok(Self(verify(state, token).await?));
        }
        if let Some(ticket) = query_value(parts, "ticket") {
            let identity = state
                .tickets
                .redeem(ticket)
                .ok_or(AppError::Unauthorized("the ticket is invalid, already used or expired"))?;
            return Ok(Self(identity));
        }
        let token = query_value(parts, "access_token").ok_or(MISSING)?;
        Ok(Self(verify(state, token).await?))
    }
}

const MISSING: AppError = AppError::Unauthorized("missing Authorization: Bearer token");

async fn verify(state: &AppState, token: &str) -> Result<Identity, AppError> {
    state
        .verifier
        .verify(token)
        .await
        .map_err(|_| AppError::Unauthorized("the access token is invalid or expired"))
}

fn header_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The token of `Sec-WebSocket-Protocol: bearer, <token>`.
fn subprotocol_token(parts: &Parts) -> Option<&str> {
    let values = parts.headers.get_all(SEC_WEBSOCKET_PROTOCOL).iter();
    let mut protocols =
        values.filter_map(|value| value.to_str().ok()).flat_map(|value| value.split(','));
    protocols.find(|protocol| protocol.trim() == BEARER_PROTOCOL)?;
    protocols.next().map(str::trim)
}

/// The value of `name` in the query string, as sent (tokens and tickets need no decoding).
fn query_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    let query = parts.uri.query()?;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}
