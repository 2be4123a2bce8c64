//! What the hub sends to a connection: one room's message or presence change, shared by every
//! member it goes to, and rendered once for all of them by whoever writes it out.

use std::any::Any;
use std::sync::OnceLock;

use super::{PresenceEvent, RoomName, StoredMessage};

/// A message or presence change of one room, on its way to the room's members. The hub wraps
/// it in an `Arc` once and pushes that to every [`Outbox`](super::Outbox).
#[derive(Debug)]
pub struct RoomEvent {
    /// The room it belongs to.
    pub room: RoomName,
    /// The message id; `None` for presence events.
    pub id: Option<u64>,
    /// What happened.
    pub kind: RoomEventKind,
    /// The event as the first connection rendered it, shared by the others.
    frame: OnceLock<Box<dyn Any + Send + Sync>>,
}

/// What a [`RoomEvent`] carries.
#[derive(Debug)]
pub enum RoomEventKind {
    /// A message published to the room.
    Message(StoredMessage),
    /// A user arrived or left.
    Presence(PresenceEvent),
}

impl RoomEvent {
    /// The event of a stored message.
    #[must_use]
    pub fn message(message: &StoredMessage) -> Self {
        let kind = RoomEventKind::Message(message.clone());
        Self { room: message.room.clone(), id: Some(message.id), kind, frame: OnceLock::new() }
    }

    /// The event of a presence change.
    #[must_use]
    pub fn presence(event: &PresenceEvent) -> Self {
        let kind = RoomEventKind::Presence(event.clone());
        Self { room: event.room.clone(), id: None, kind, frame: OnceLock::new() }
    }

    /// The event as a connection writes it (a WebSocket text frame, an SSE data line…):
    /// `render` runs for the first connection that asks, and every other connection gets a
    /// clone of its result, so an event is rendered once however many members it reaches.
    /// A connection that asks for another type than the first one did gets a fresh rendering.
    pub fn rendered<F>(&self, render: impl FnOnce(&Self) -> F) -> F
    where
        F: Clone + Send + Sync + 'static,
    {
        if let Some(frame) = self.frame.get().and_then(|frame| frame.downcast_ref::<F>()) {
            return frame.clone();
        }
        let frame = render(self);
        // Another connection may have rendered it meanwhile: either copy is the same.
        let _ = self.frame.set(Box::new(frame.clone()));
        frame
    }
}
