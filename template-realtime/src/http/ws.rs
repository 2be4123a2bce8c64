//! `GET /ws`: authenticates, checks the node's capacity, and upgrades to a WebSocket session.
//!
//! Everything that can be refused is refused before the upgrade, as problem+json: a missing
//! or invalid token (401), a request that is not an upgrade (400 or 426), a user who holds
//! `USER_MAX_CONNECTIONS` already (429), a full node or one that is shutting down (503).

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::response::{IntoResponse, Response};

use super::auth::{BEARER_PROTOCOL, Bearer};
use super::problem::Problem;
use super::state::AppState;
use crate::auth::Identity;
use crate::connections::{ConnectionPermit, Transport};
use crate::error::{AppError, AppResult};
use crate::session::{self, SessionContext, SessionSettings};
use crate::users::UserConnection;

/// Upgrades an authenticated request to a WebSocket session.
///
/// # Errors
/// 401 without a valid token, 429 past the user's connections, 503 when the node is full or
/// shutting down.
pub(crate) async fn upgrade(
    State(state): State<AppState>,
    bearer: Bearer,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    if state.shutdown.is_draining() {
        return Err(AppError::unavailable("the server is shutting down"));
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return Ok(Problem::new(rejection.status(), rejection.body_text()).into_response());
        }
    };
    let permits = acquire(&state, &bearer.identity, Transport::WebSocket).await?;
    let context = SessionContext {
        rooms: state.rooms.clone(),
        verifier: state.verifier.clone(),
        limits: state.session,
        shutdown: state.shutdown.clone(),
        identity: bearer.identity,
        _permits: permits,
    };
    let tracker = state.shutdown.tracker().clone();
    let upgrade = configure(upgrade, &state.session, bearer.via_subprotocol);
    // Boxed: the callback stays in the connection's task for its whole life.
    let context = Box::new(context);
    Ok(upgrade.on_upgrade(move |socket| tracker.track_future(session::run(socket, *context))))
}

/// A slot for one more connection of the user, and one on the node.
///
/// # Errors
/// 429 when the user holds `USER_MAX_CONNECTIONS`, 503 when the node holds `MAX_CONNECTIONS`.
pub(crate) async fn acquire(
    state: &AppState,
    identity: &Identity,
    transport: Transport,
) -> AppResult<(ConnectionPermit, UserConnection)> {
    let user = state.users.open(&identity.user).await.map_err(|retry_after| {
        AppError::TooManyRequests { detail: "you hold too many connections already", retry_after }
    })?;
    let permit = state
        .connections
        .try_acquire(transport)
        .ok_or_else(|| AppError::unavailable("the node has reached its connection limit"))?;
    Ok((permit, user))
}

/// The read buffer: frames up to the size limit still arrive whole (the buffer grows for
/// them), but an idle connection holds only this much, and tungstenite zeroes only this much
/// before each read.
const READ_BUFFER_BYTES: usize = 512;

/// Small buffers: a connection costs a few kilobytes, not axum's default 128 KiB.
fn configure(
    upgrade: WebSocketUpgrade,
    limits: &SessionSettings,
    via_subprotocol: bool,
) -> WebSocketUpgrade {
    // Frames up to twice the limit are read and answered with `too_large`; larger ones close
    // the connection with 1009.
    let hard_limit = limits.max_message_bytes.saturating_mul(2);
    let upgrade = upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(limits.max_message_bytes)
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit);
    if via_subprotocol {
        return upgrade.protocols([BEARER_PROTOCOL]);
    }
    upgrade
}
