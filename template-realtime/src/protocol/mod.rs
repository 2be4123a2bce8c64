//! The JSON protocol spoken over WebSockets (and, for server frames, over SSE).
//!
//! Each text frame is one JSON object with a `type`. Client frames are `join`, `leave`,
//! `publish`, `ping` and `reauth`; the server answers each with `ack`, `pong` or `error`, and
//! pushes `message` and `presence` frames. `asyncapi.yaml` describes the same shapes.

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::rooms::StoredMessage;
use crate::rooms::{PresenceEvent, PresenceKind, RoomEvent, RoomEventKind, RoomName};

/// The longest `ref` echoed back, in bytes.
pub(crate) const MAX_REF_BYTES: usize = 64;

#[derive(Debug)]
pub(crate) enum Request<'a> {
    /// Enter a room, replaying the messages after `since` first.
    Join {
        /// The room.
        room: RoomName,
        /// The last message id the client has.
        since: Option<u64>,
    },
    /// Leave a room.
    Leave {
        /// The room.
        room: RoomName,
    },
    /// Send a message to a room the client has joined.
    Publish {
        /// The room.
        room: RoomName,
        /// Any JSON.
        body: &'a RawValue,
    },
    /// Ask for a `pong`.
    Ping,
    /// Replace the connection's token with a fresh one for the same user, before the old one
    /// expires (the connection closes with 4001 when it does).
    Reauth {
        /// The fresh access token.
        token: &'a str,
    },
}

/// A client frame: the request and the `ref` to echo.
#[derive(Debug)]
pub(crate) struct ClientFrame<'a> {
    /// The client's correlation id, echoed in the answer.
    pub(crate) reference: Option<&'a str>,
    /// What the client asks for.
    pub(crate) request: Request<'a>,
}

/// Why a frame was refused, as sent in `error.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorCode {
    /// The frame is not a valid request.
    BadRequest,
    /// The client has not joined that room.
    NotJoined,
    /// The frame is larger than `MAX_MESSAGE_BYTES`.
    TooLarge,
    /// The client sends faster than its rate limit.
    RateLimited,
    /// The client is already in `MAX_ROOMS_PER_CONNECTION` rooms.
    TooManyRooms,
    /// Some messages after `since` have left the history; the client joined all the same.
    HistoryTruncated,
    /// The room policy does not allow the user this request in this room.
    Forbidden,
    /// The node, or the history, holds as many rooms as it may: try again later.
    RoomLimit,
    /// A `reauth` token is invalid, expired, or for another user; the old one still holds.
    InvalidToken,
    /// The connection's token expired (the last event of an SSE stream).
    TokenExpired,
}

/// A refused frame: the code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The machine-readable code.
    pub(crate) code: ErrorCode,
    /// What went wrong, for a human.
    pub(crate) message: String,
}

impl Refusal {
    /// A refusal with `code` and `message`.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// The fields any client frame may have; which ones matter depends on `type`.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "ref", default)]
    reference: Option<&'a str>,
    #[serde(default)]
    room: Option<&'a str>,
    #[serde(default)]
    since: Option<u64>,
    #[serde(borrow, default)]
    body: Option<&'a RawValue>,
    #[serde(default)]
    token: Option<&'a str>,
}

/// Parses one client text frame.
///
/// # Errors
/// A `bad_request` refusal, with the `ref` when it could be read.
pub(crate) fn parse(text: &str) -> Result<ClientFrame<'_>, (Option<&str>, Refusal)> {
    let fields: Fields<'_> = serde_json::from_str(text).map_err(|error| {
        (reference_of(text), Refusal::new(ErrorCode::BadRequest, error.to_string()))
    })?;
    let reference = fields.reference.filter(|reference| reference.len() <= MAX_REF_BYTES);
    if reference.is_none() && fields.reference.is_some() {
        return Err((None, bad_request("`ref` is longer than 64 bytes")));
    }
    request(&fields)
        .map(|request| ClientFrame { reference, request })
        .map_err(|refusal| (reference, refusal))
}

/// Only the `ref` of a frame: read even when the other fields are invalid.
#[derive(Deserialize)]
struct ReferenceOnly<'a> {
    #[serde(rename = "ref", default)]
    reference: Option<&'a str>,
}

/// Reads the `ref` of a frame that will not be processed (too large, rate limited, or with
/// fields that do not fit their request), when the frame is a JSON object with a short one.
#[must_use]
pub(crate) fn reference_of(text: &str) -> Option<&str> {
    let fields: ReferenceOnly<'_> = serde_json::from_str(text).ok()?;
    fields.reference.filter(|reference| reference.len() <= MAX_REF_BYTES)
}

fn request<'a>(fields: &Fields<'a>) -> Result<Request<'a>, Refusal> {
    match fields.kind {
        "join" => Ok(Request::Join { room: room(fields.room)?, since: fields.since }),
        "leave" => Ok(Request::Leave { room: room(fields.room)? }),
        "publish" => {
            let body = fields.body.ok_or_else(|| bad_request("`publish` needs a `body`"))?;
            Ok(Request::Publish { room: room(fields.room)?, body })
        }
        "ping" => Ok(Request::Ping),
        "reauth" => {
            let token = fields.token.ok_or_else(|| bad_request("`reauth` needs a `token`"))?;
            Ok(Request::Reauth { token })
        }
        other => Err(bad_request(format!("unknown type `{other}`"))),
    }
}

fn room(name: Option<&str>) -> Result<RoomName, Refusal> {
    let name = name.ok_or_else(|| bad_request("`room` is required"))?;
    RoomName::parse(name).map_err(|error| bad_request(error.to_string()))
}

fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::BadRequest, message)
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum ServerFrame<'a> {
    /// The request succeeded.
    Ack {
        /// The request's `ref`.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// The answer to `ping`.
    Pong {
        /// The request's `ref`.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// The request failed, or (for `history_truncated`) succeeded with a warning.
    Error {
        /// The request's `ref`.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        /// Why.
        code: ErrorCode,
        /// Why, for a human.
        message: &'a str,
    },
    /// A message in a joined room.
    Message {
        /// The room.
        room: &'a RoomName,
        /// The message id.
        id: u64,
        /// The sender's user id.
        from: &'a str,
        /// The body, as published.
        body: &'a RawValue,
        /// When the server received it (RFC 3339).
        ts: &'a str,
    },
    /// Someone joined or left a joined room.
    Presence {
        /// The room.
        room: &'a RoomName,
        /// Joined or left.
        event: PresenceKind,
        /// The user's id.
        user: &'a str,
    },
}

impl ServerFrame<'_> {
    #[must_use]
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl<'a> From<&'a StoredMessage> for ServerFrame<'a> {
    fn from(message: &'a StoredMessage) -> Self {
        ServerFrame::Message {
            room: &message.room,
            id: message.id,
            from: &message.from,
            body: &message.body,
            ts: &message.ts,
        }
    }
}

impl<'a> From<&'a PresenceEvent> for ServerFrame<'a> {
    fn from(event: &'a PresenceEvent) -> Self {
        ServerFrame::Presence { room: &event.room, event: event.event, user: &event.user }
    }
}

impl<'a> From<&'a RoomEvent> for ServerFrame<'a> {
    fn from(event: &'a RoomEvent) -> Self {
        match &event.kind {
            RoomEventKind::Message(message) => Self::from(message),
            RoomEventKind::Presence(presence) => Self::from(presence),
        }
    }
}

/// The text of the frame of a hub's event, as WebSocket and SSE send it: give it to
/// [`RoomEvent::rendered`], which renders it once for every connection it goes to.
#[must_use]
pub(crate) fn frame_text(event: &RoomEvent) -> Utf8Bytes {
    Utf8Bytes::from(ServerFrame::from(event).to_json())
}

#[cfg(test)]
mod tests;
