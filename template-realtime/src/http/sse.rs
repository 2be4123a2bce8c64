//! `GET /rooms/{room}/events`: a room as Server-Sent Events.
//!
//! Each message is an event `message` with its id as the SSE `id`, so `EventSource` resumes
//! after a reconnect with `Last-Event-ID` and misses nothing still in the history; if some of
//! it is gone, the stream starts with an event `error` whose code is `history_truncated`.
//! Presence changes are `presence` events. Keep-alive comments flow while the room is quiet.
//! A listener counts as present in the room, like a WebSocket member. When the token (or the
//! ticket's token) expires, the stream ends with an event `error` whose code is
//! `token_expired`: reconnect with a fresh one and `Last-Event-ID`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;

use tokio::time::Instant;

use super::auth::StreamBearer;
use super::state::AppState;
use crate::auth::Identity;
use crate::connections::{ConnectionPermit, Transport};
use crate::error::{AppError, AppResult};
use crate::protocol::{self, ErrorCode, ServerFrame};
use crate::rooms::broker::replay::Replay;
use crate::rooms::{Member, Outbox, RoomAction, RoomEvent, RoomName, Rooms};
use crate::shutdown::Watched;
use crate::users::UserConnection;

/// Streams the room's messages and presence events.
///
/// # Errors
/// 400 for an invalid room or `Last-Event-ID`, 401 without a valid token or ticket, 403 when
/// the room policy refuses, 429 past the user's connections, 503 when the node is full or the
/// broker fails.
pub(crate) async fn events(
    State(state): State<AppState>,
    Path(room): Path<String>,
    StreamBearer(identity): StreamBearer,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let room = super::rooms::parse_room(&room)?;
    let since = last_event_id(&headers)?;
    let listener = Listener::join(&state, room, identity, since).await?;
    let stream = futures_util::stream::unfold(listener, |mut listener| async move {
        let event = listener.next_event().await?;
        Some((Ok(event), listener))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(state.http.sse_keep_alive)))
}

fn last_event_id(headers: &HeaderMap) -> AppResult<Option<u64>> {
    let Some(value) = headers.get("last-event-id") else { return Ok(None) };
    let parsed = value.to_str().ok().and_then(|text| text.trim().parse().ok());
    parsed
        .map(Some)
        .ok_or_else(|| AppError::BadRequest("Last-Event-ID must be a message id".into()))
}

fn error_event(code: ErrorCode, message: &str) -> Event {
    let frame = ServerFrame::Error { reference: None, code, message };
    Event::default().event("error").data(frame.to_json())
}

/// What a listener gets first: `history_truncated` if part of the gap is gone, then the
/// messages after `Last-Event-ID`.
fn replay_events(replay: &Replay) -> VecDeque<Event> {
    let mut pending = VecDeque::new();
    if replay.truncated {
        let message = "some messages after Last-Event-ID are no longer in the history";
        pending.push_back(error_event(ErrorCode::HistoryTruncated, message));
    }
    pending.extend(replay.messages.iter().map(|message| {
        let text = ServerFrame::from(message).to_json();
        Event::default().event("message").id(message.id.to_string()).data(text)
    }));
    pending
}

/// One SSE listener: the replay still to send, then whatever reaches its outbox, until its
/// token expires.
struct Listener {
    pending: VecDeque<Event>,
    outbox: Arc<Outbox>,
    last: u64,
    expires: Instant,
    expired: bool,
    _watched: Watched,
    _membership: Membership,
}

impl Listener {
    /// Joins the room and prepares the replay after `since`.
    async fn join(
        state: &AppState,
        room: RoomName,
        identity: Identity,
        since: Option<u64>,
    ) -> AppResult<Self> {
        state.rooms.authorize(&identity.user, &room, RoomAction::Read).await?;
        let permits = super::ws::acquire(state, &identity, Transport::Sse).await?;
        let (member_id, outbox) = state.rooms.connection();
        let member = Member { id: member_id, user: identity.user.clone(), outbox: outbox.clone() };
        let replay = state.rooms.join(&room, member, since).await?;
        let pending = replay_events(&replay);
        let last = replay.messages.last().map_or(since.unwrap_or(0), |message| message.id);
        let rooms = state.rooms.clone();
        let membership = Membership { rooms, room, member_id, _permits: permits };
        let watched = state.shutdown.watch(member_id, &outbox);
        let expires = Instant::now() + identity.lifetime();
        Ok(Self {
            pending,
            outbox,
            last,
            expires,
            expired: false,
            _watched: watched,
            _membership: membership,
        })
    }

    /// The next event; `None` ends the stream (shutdown, an expired token, or a listener too
    /// slow to keep up, which then reconnects with `Last-Event-ID`).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.expired || self.outbox.is_closed() {
                return None;
            }
            if self.outbox.is_overflowed() {
                metrics::counter!("realtime_slow_consumer_disconnects_total").increment(1);
                return None;
            }
            tokio::select! {
                () = self.outbox.ready() => self.take_queued(),
                () = tokio::time::sleep_until(self.expires) => self.expire(),
            }
        }
    }

    /// The token expired: one last event says so, then the stream ends.
    fn expire(&mut self) {
        metrics::counter!("realtime_token_expiry_disconnects_total").increment(1);
        self.expired = true;
        let message = "the access token expired: reconnect with a fresh one";
        self.pending.push_back(error_event(ErrorCode::TokenExpired, message));
    }

    fn take_queued(&mut self) {
        let mut batch = Vec::new();
        self.outbox.drain_into(&mut batch);
        for room_event in batch {
            if let Some(event) = self.event(&room_event) {
                self.pending.push_back(event);
            }
        }
    }

    fn event(&mut self, room_event: &RoomEvent) -> Option<Event> {
        let text = || room_event.rendered(protocol::frame_text);
        let Some(id) = room_event.id else {
            return Some(Event::default().event("presence").data(text().as_str()));
        };
        if id <= self.last {
            return None;
        }
        self.last = id;
        metrics::counter!("realtime_messages_out_total").increment(1);
        Some(Event::default().event("message").id(id.to_string()).data(text().as_str()))
    }
}

/// Leaves the room when the stream is dropped (the client went away, or shutdown).
struct Membership {
    rooms: Arc<Rooms>,
    room: RoomName,
    member_id: u64,
    _permits: (ConnectionPermit, UserConnection),
}

impl Drop for Membership {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (rooms, room, member_id) = (self.rooms.clone(), self.room.clone(), self.member_id);
        runtime.spawn(async move {
            if let Err(error) = rooms.leave(&room, member_id).await {
                crate::telemetry::broker_error("leave", &error);
            }
        });
    }
}
