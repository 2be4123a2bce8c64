//! Client frames: checking them against the limits, and answering each request.

use axum::extract::ws::Message;

use super::{End, Session};
use crate::broker::BrokerError;
use crate::broker::replay::Replay;
use crate::domain::{Draft, RoomName};
use crate::hub::Member;
use crate::protocol::{self, ClientFrame, ErrorCode, Refusal, Request, ServerFrame};

impl Session {
    pub(super) async fn on_frame(
        &mut self,
        frame: Option<Result<Message, axum::Error>>,
    ) -> Result<(), End> {
        self.last_seen = tokio::time::Instant::now();
        match frame {
            Some(Ok(Message::Text(text))) => self.on_text(&text).await,
            Some(Ok(Message::Binary(_))) => {
                self.refuse(
                    None,
                    Refusal::new(ErrorCode::BadRequest, "only text frames are accepted"),
                )
                .await
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
            Some(Ok(Message::Close(_))) | None => Err(End::Drop),
            Some(Err(error)) => Err(read_failure(error)),
        }
    }

    async fn on_text(&mut self, text: &str) -> Result<(), End> {
        crate::telemetry::messages_in().increment(1);
        if !self.bucket.take() {
            return self.rate_limited(text).await;
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

    async fn rate_limited(&mut self, text: &str) -> Result<(), End> {
        self.refused_in_a_row += 1;
        if self.refused_in_a_row > self.context.limits.message_rate.burst {
            return Err(End::Close(1008, "message rate exceeded"));
        }
        let refusal =
            Refusal::new(ErrorCode::RateLimited, "slow down: the message rate is exceeded");
        self.refuse(protocol::reference_of(text), refusal).await
    }

    async fn handle(&mut self, frame: ClientFrame<'_>) -> Result<(), End> {
        let reference = frame.reference;
        match frame.request {
            Request::Ping => self.reply(&ServerFrame::Pong { reference }).await,
            Request::Join { room, since } => self.join(reference, room, since).await,
            Request::Leave { room } => self.leave(reference, &room).await,
            Request::Publish { room, body } => {
                if !self.is_in(&room) {
                    return self.refuse(reference, not_joined(&room)).await;
                }
                let draft = Draft::now(room, self.context.user.to_string(), body.to_owned());
                self.context.rooms.publish(draft).await.map_err(broker_failure("publish"))?;
                self.reply(&ServerFrame::Ack { reference }).await
            }
        }
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
        let member = Member {
            id: self.member_id,
            user: self.context.user.clone(),
            outbox: self.outbox.clone(),
        };
        let replay =
            self.context.rooms.join(&room, member, since).await.map_err(broker_failure("join"))?;
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
        self.context.rooms.leave(room, self.member_id).await.map_err(broker_failure("leave"))?;
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

fn broker_failure(operation: &'static str) -> impl Fn(BrokerError) -> End {
    move |error| {
        crate::telemetry::broker_error(operation, &error);
        End::BROKER
    }
}

/// A frame over the size limit closes with 1009; any other read error means the peer is gone.
fn read_failure(error: axum::Error) -> End {
    let source = error.into_inner();
    match source.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => End::Close(1009, "frame too large"),
        _ => End::Drop,
    }
}
