//! `POST /sse-tickets`: trades the bearer token for a single-use ticket that opens one SSE
//! stream (`GET /rooms/{room}/events?ticket=…`), so that no token lands in an access log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::auth::Bearer;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::tickets::TicketRefusal;

/// A fresh ticket.
#[derive(Debug, Serialize)]
pub(crate) struct IssuedTicket {
    /// Pass it as `?ticket=` when opening the stream; it works once.
    pub(crate) ticket: String,
    /// Seconds until it expires.
    pub(crate) expires_in: u64,
}

/// Issues a ticket for the caller.
///
/// # Errors
/// 401 without a valid token, 429 when the caller holds too many unused tickets, 503 when the
/// node holds too many.
pub(crate) async fn issue(
    State(state): State<AppState>,
    caller: Bearer,
) -> AppResult<(StatusCode, Json<IssuedTicket>)> {
    let ticket = state.tickets.issue(caller.identity).map_err(|refusal| match refusal {
        TicketRefusal::TooManyForUser => AppError::TooManyRequests {
            detail: "too many unused tickets: use or let expire the ones you have",
            retry_after: state.tickets.ttl(),
        },
        TicketRefusal::Full => AppError::unavailable("the node cannot issue more tickets now"),
    })?;
    let expires_in = state.tickets.ttl().as_secs();
    Ok((StatusCode::CREATED, Json(IssuedTicket { ticket, expires_in })))
}
