//! Client frames: checking them against the limits, and answering each request.

use axum::extract::ws::Message;

use serde_json::value::RawValue;

use super::{End, Session};
use crate::protocol::{self, ClientFrame, ErrorCode, Refusal, Request, ServerFrame};
use crate::rooms::broker::replay::Replay;
use crate::rooms::{Member, RoomAction, RoomError, RoomName};

impl Session {
    pub(super) async fn on_frame(
        &mut self,
        frame: Option<Result<Message, axum::Error>>,
    ) -> Result<(), End> {
        self.last_seen = tokio::time::Instant::now();
        match frame {
            Some(Ok(Message::Text(text))) => self.on_text(&text).await,
            Some(Ok(Message::Binary(_))) => self.on_binary().await,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
            Some(Ok(Message::Close(_))) | None => Err(End::Drop),
            Some(Err(error)) => Err(read_failure(error)),
        }
    }

    /// A binary frame is refused, but costs its sender like a publication: from the
    /// connection's frame rate and from the user's publish rate.
    async fn on_binary(&mut self) -> Result<(), End> {
        crate::telemetry::messages_in().increment(1);
        if !self.bucket.take() {
            return self.rate_limited(None).await;
        }
        if self.context.rooms.take_publication(&self.context.identity.user).await.is_err() {
            return self.rate_limited(None).await;
        }
        self.refused_in_a_row = 0;
        self.refuse(None, Refusal::new(ErrorCode::BadRequest, "only text frames are accepted"))
            .await
    }

    async fn on_text(&mut self, text: &str) -> Result<(), End> {
        crate::telemetry::messages_in().increment(1);
        if !self.bucket.take() {
            return self.rate_limited(protocol::reference_of(text)).await;
        }
        self.refused_in_a_row = 0;
        if text.len() > self.context.limits.max_message_bytes {
            let refusal = Refusal::new(ErrorCode::TooLarge, "the frame is larger than the limit");
            return self.refuse(protocol::reference_of(text), refusal).await;
        }
        match protocol::parse(text) {
            Ok(frame) => self.handle(frame).await,
            Err((reference, refusal)) => self.refuse(reference, refusal).await,
        }
    }

    /// Refuses a frame over the connection's or the user's rate; a client that keeps going
    /// is closed with 1008.
    async fn rate_limited(&mut self, reference: Option<&str>) -> Result<(), End> {
        self.refused_in_a_row += 1;
        if self.refused_in_a_row > self.context.limits.message_rate.burst {
            return Err(End::Close(1008, "message rate exceeded"));
        }
        let refusal =
            Refusal::new(ErrorCode::RateLimited, "slow down: the message rate is exceeded");
        self.refuse(reference, refusal).await
    }

    async fn handle(&mut self, frame: ClientFrame<'_>) -> Result<(), End> {
        let reference = frame.reference;
        match frame.request {
            Request::Ping => self.reply(&ServerFrame::Pong { reference }).await,
            Request::Join { room, since } => self.join(reference, room, since).await,
            Request::Leave { room } => self.leave(reference, &room).await,
            Request::Publish { room, body } => self.publish(reference, room, body).await,
            Request::Reauth { token } => self.reauth(reference, token).await,
        }
    }

    async fn publish(
        &mut self,
        reference: Option<&str>,
        room: RoomName,
        body: &RawValue,
    ) -> Result<(), End> {
        if !self.is_in(&room) {
            return self.refuse(reference, not_joined(&room)).await;
        }
        let user = self.context.identity.user.clone();
        match self.context.rooms.publish(&user, room, body.to_owned()).await {
            Ok(_) => self.reply(&ServerFrame::Ack { reference }).await,
            Err(RoomError::RateLimited { .. }) => self.rate_limited(reference).await,
            Err(error) => self.refuse_room_error(reference, error, "publish").await,
        }
    }

    /// Answers a refused room request; a broker failure closes the connection with 1011.
    async fn refuse_room_error(
        &mut self,
        reference: Option<&str>,
        error: RoomError,
        operation: &'static str,
    ) -> Result<(), End> {
        let code = match error {
            RoomError::Forbidden => ErrorCode::Forbidden,
            RoomError::RateLimited { .. } => ErrorCode::RateLimited,
            RoomError::RoomLimit => ErrorCode::RoomLimit,
            RoomError::Broker(error) => {
                crate::telemetry::broker_error(operation, &error);
                return Err(End::BROKER);
            }
        };
        self.refuse(reference, Refusal::new(code, error.to_string())).await
    }

    /// Takes a fresh token for the same user: the connection then lives until its `exp`.
    async fn reauth(&mut self, reference: Option<&str>, token: &str) -> Result<(), End> {
        let refusal = match self.context.verifier.verify(token).await {
            Ok(identity) if identity.user == self.context.identity.user => {
                let deadline = tokio::time::Instant::now() + identity.lifetime();
                self.expiry.as_mut().reset(deadline);
                self.context.identity = identity;
                return self.reply(&ServerFrame::Ack { reference }).await;
            }
            Ok(_) => "the token is for another user",
            Err(_) => "the token is invalid or expired",
        };
        self.refuse(reference, Refusal::new(ErrorCode::InvalidToken, refusal)).await
    }

    async fn join(
        &mut self,
        reference: Option<&str>,
        room: RoomName,
        since: Option<u64>,
    ) -> Result<(), End> {
        if self.is_in(&room) {
            return self.reply(&ServerFrame::Ack { reference }).await;
        }
        if self.joined.len() >= self.context.limits.max_rooms_per_connection {
            let refusal =
                Refusal::new(ErrorCode::TooManyRooms, "leave a room before joining another");
            return self.refuse(reference, refusal).await;
        }
        let user = self.context.identity.user.clone();
        if let Err(error) = self.context.rooms.authorize(&user, &room, RoomAction::Join).await {
            return self.refuse_room_error(reference, error, "join").await;
        }
        let member = Member { id: self.member_id, user, outbox: self.outbox.clone() };
        let replay = match self.context.rooms.join(&room, member, since).await {
            Ok(replay) => replay,
            Err(error) => return self.refuse_room_error(reference, error, "join").await,
        };
        let last = replay.messages.last().map_or(since.unwrap_or(0), |message| message.id);
        self.joined.push((room, last));
        self.replay(reference, &replay).await
    }

    /// Answers a join (`ack`, or `history_truncated`), then sends the replay.
    async fn replay(&mut self, reference: Option<&str>, replay: &Replay) -> Result<(), End> {
        if replay.truncated {
            let message = "some messages after `since` are no longer in the history";
            let refusal = Refusal::new(ErrorCode::HistoryTruncated, message);
            self.refuse(reference, refusal).await?;
        } else {
            self.reply(&ServerFrame::Ack { reference }).await?;
        }
        for message in &replay.messages {
            self.feed(Message::Text(ServerFrame::from(message).to_json().into())).await?;
        }
        self.send_flush().await
    }

    async fn leave(&mut self, reference: Option<&str>, room: &RoomName) -> Result<(), End> {
        let Some(index) = self.joined.iter().position(|(joined, _)| joined == room) else {
            return self.refuse(reference, not_joined(room)).await;
        };
        self.joined.swap_remove(index);
        if let Err(error) = self.context.rooms.leave(room, self.member_id).await {
            crate::telemetry::broker_error("leave", &error);
            return Err(End::BROKER);
        }
        self.reply(&ServerFrame::Ack { reference }).await
    }

    fn is_in(&self, room: &RoomName) -> bool {
        self.joined.iter().any(|(joined, _)| joined == room)
    }

    async fn refuse(&mut self, reference: Option<&str>, refusal: Refusal) -> Result<(), End> {
        let frame = ServerFrame::Error { reference, code: refusal.code, message: &refusal.message };
        self.reply(&frame).await
    }

    async fn reply(&mut self, frame: &ServerFrame<'_>) -> Result<(), End> {
        self.send(Message::Text(frame.to_json().into())).await
    }
}

fn not_joined(room: &RoomName) -> Refusal {
    Refusal::new(ErrorCode::NotJoined, format!("join `{room}` first"))
}

/// A frame over the size limit closes with 1009; any other read error means the peer is gone.
fn read_failure(error: axum::Error) -> End {
    let source = error.into_inner();
    match source.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => End::Close(1009, "frame too large"),
        _ => End::Drop,
    }
}
