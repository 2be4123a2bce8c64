//! `GET /rooms/{room}/presence` and `POST /rooms/{room}/messages`: presence across all nodes,
//! and publishing over HTTP, so that other services can push to rooms.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::auth::Bearer;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::protocol::ServerFrame;
use crate::rooms::RoomName;

/// Who is in a room.
#[derive(Debug, Serialize)]
pub(crate) struct Presence {
    pub(crate) room: RoomName,
    /// The user ids present on any node, sorted.
    pub(crate) users: Vec<String>,
}

/// The body of `POST /rooms/{room}/messages`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishBody {
    /// Any JSON, delivered as sent.
    pub(crate) body: Box<RawValue>,
}

/// Lists the users in the room.
///
/// # Errors
/// 400 for an invalid room name, 401 without a valid token, 403 when the room policy refuses,
/// 503 when the broker fails.
pub(crate) async fn presence(
    State(state): State<AppState>,
    Path(room): Path<String>,
    caller: Bearer,
) -> AppResult<Json<Presence>> {
    let room = parse_room(&room)?;
    let users = state.rooms.present_users(&caller.identity.user, &room).await?;
    Ok(Json(Presence { room, users }))
}

/// Publishes a message as the caller; answers 201 with the stored message.
///
/// # Errors
/// 400 for an invalid room or body, 401 without a valid token, 403 when the room policy
/// refuses, 413 for a body over `MAX_MESSAGE_BYTES`, 415 for a body that is not JSON, 429 past
/// the user's publish rate, 503 past the room limit or when the broker fails.
pub(crate) async fn publish(
    State(state): State<AppState>,
    Path(room): Path<String>,
    caller: Bearer,
    body: Result<Json<PublishBody>, JsonRejection>,
) -> AppResult<Response> {
    let room = parse_room(&room)?;
    let Json(PublishBody { body }) = body.map_err(|rejection| json_error(&rejection))?;
    let stored = state.rooms.publish(&caller.identity.user, room, body).await?;
    let json = ServerFrame::from(&stored).to_json();
    Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// A room name from the path; 400 when invalid.
pub(super) fn parse_room(room: &str) -> AppResult<RoomName> {
    RoomName::parse(room).map_err(|error| AppError::BadRequest(error.to_string()))
}

fn json_error(rejection: &JsonRejection) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(rejection.body_text()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(rejection.body_text()),
        _ => AppError::BadRequest(rejection.body_text()),
    }
}
