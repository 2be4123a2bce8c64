//! The node's fan-out: which local connections are in which room, and the delivery of each
//! message and presence event to them.
//!
//! The broker calls [`Hub::deliver`] for every message of every room, in id order. The hub
//! drops duplicates (a message it already delivered, seen again after a replay), reports gaps
//! (a message whose `prev` it never delivered) so that the broker fetches what is missing from
//! the history first, and pushes one shared [`RoomEvent`] per message into each member's
//! [`Outbox`] without ever waiting on a slow client.

mod outbox;
mod room;
mod shard;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

pub use outbox::Outbox;
use room::RoomState;

#[cfg(test)]
use super::{Draft, PresenceKind};
use super::{PresenceEvent, RoomEvent, RoomName, StoredMessage};

/// One connection's place in a room.
#[derive(Debug, Clone)]
pub struct Member {
    /// Unique on this node for the life of the process.
    pub id: u64,
    /// The user behind the connection.
    pub user: Arc<str>,
    /// Where the connection's frames go.
    pub outbox: Arc<Outbox>,
}

/// What joining changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    /// The room had no member on this node before.
    pub new_room: bool,
    /// The user had no other connection in the room on this node.
    pub first_of_user: bool,
}

/// What leaving changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    /// The user behind the connection.
    pub user: Arc<str>,
    /// The user has no other connection in the room on this node.
    pub last_of_user: bool,
}

/// What became of a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent to the room's members on this node, this many (a member whose outbox is full is
    /// cut off as too slow).
    Delivered(usize),
    /// Already delivered; dropped.
    Duplicate,
    /// Nobody on this node is in the room.
    NoMembers,
    /// Messages between `last` and this one were never delivered: catch up first.
    Gap {
        /// The last id delivered in the room.
        last: u64,
    },
}

/// A join would open a room past [`HubLimits::max_rooms`] on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this node has reached its room limit")]
pub struct RoomLimit;

/// The hub's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubLimits {
    /// Rooms with more members than this on the node get no presence events there: in a room
    /// of 10,000, one event per arrival to everyone would be 100 million frames.
    pub presence_event_limit: usize,
    /// Rooms with members on this node; joining another one is refused.
    pub max_rooms: usize,
}

/// The rooms of this node and their local members.
#[derive(Debug)]
pub struct Hub {
    rooms: RwLock<std::collections::HashMap<RoomName, Arc<RoomState>>>,
    next_member: AtomicU64,
    limits: HubLimits,
}

impl Hub {
    /// A hub with no rooms.
    #[must_use]
    pub fn new(limits: HubLimits) -> Self {
        Self { rooms: RwLock::default(), next_member: AtomicU64::new(0), limits }
    }

    /// A member id never used before on this node.
    pub fn member_id(&self) -> u64 {
        self.next_member.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds `member` to `room`.
    ///
    /// # Errors
    /// [`RoomLimit`] when the room has no member here yet and the node has `max_rooms`.
    pub fn join(&self, room: &RoomName, member: Member) -> Result<Joined, RoomLimit> {
        let mut rooms = self.rooms.write().unwrap_or_else(PoisonError::into_inner);
        let new_room = !rooms.contains_key(room);
        if new_room && rooms.len() >= self.limits.max_rooms {
            return Err(RoomLimit);
        }
        let state = rooms.entry(room.clone()).or_default();
        Ok(Joined { new_room, first_of_user: state.add(member) })
    }

    /// Whether some connection of this node is in `room`.
    #[must_use]
    pub fn serves(&self, room: &RoomName) -> bool {
        self.rooms.read().unwrap_or_else(PoisonError::into_inner).contains_key(room)
    }

    /// Removes the member from `room`; `None` if it was not there.
    pub fn leave(&self, room: &RoomName, member_id: u64) -> Option<Left> {
        let mut rooms = self.rooms.write().unwrap_or_else(PoisonError::into_inner);
        let state = rooms.get(room)?;
        let (left, now_empty) = state.remove(member_id)?;
        if now_empty {
            rooms.remove(room);
        }
        Some(left)
    }

    /// Records `latest` as the last id delivered in `room`, unless one is already known.
    pub fn start_at(&self, room: &RoomName, latest: u64) {
        if let Some(state) = self.room(room) {
            state.start_at(latest);
        }
    }

    /// Delivers a message to the room's members, unless it is a duplicate or follows a gap.
    pub fn deliver(&self, message: &StoredMessage) -> Delivery {
        let Some(state) = self.room(&message.room) else { return Delivery::NoMembers };
        let delivery = state.deliver(message);
        if let (Delivery::Delivered(_), Some(sent)) = (delivery, message.timestamp()) {
            let lag = (chrono::Utc::now() - sent).to_std().unwrap_or_default();
            metrics::histogram!("realtime_broker_lag_seconds").record(lag.as_secs_f64());
        }
        delivery
    }

    /// Delivers a presence event to the room's members; returns to how many it went. Rooms
    /// over the presence event limit get none.
    pub fn announce(&self, event: &PresenceEvent) -> usize {
        let Some(state) = self.room(&event.room) else { return 0 };
        if state.size() > self.limits.presence_event_limit {
            return 0;
        }
        state.fan_out(&Arc::new(RoomEvent::presence(event)))
    }

    /// Every room with a known last id: where to resume after the broker lost messages.
    #[must_use]
    pub fn resume_points(&self) -> Vec<(RoomName, u64)> {
        let rooms = self.rooms.read().unwrap_or_else(PoisonError::into_inner);
        rooms.iter().filter_map(|(room, state)| Some((room.clone(), state.last_id()?))).collect()
    }

    /// Every `(room, user)` with a connection on this node, for presence refreshes.
    #[must_use]
    pub fn present_locally(&self) -> Vec<(RoomName, Arc<str>)> {
        let rooms = self.rooms.read().unwrap_or_else(PoisonError::into_inner);
        let users = rooms.iter().flat_map(|(room, state)| {
            state.users().into_iter().map(move |user| (room.clone(), user))
        });
        users.collect()
    }

    /// The last id delivered in `room`, after which a catch-up resumes; `None` when the room
    /// has no members here or no id yet.
    #[must_use]
    pub fn last_delivered(&self, room: &RoomName) -> Option<u64> {
        self.room(room).and_then(|state| state.last_id())
    }

    /// Delivers, in order, what `room` missed: the history read after
    /// [`Hub::last_delivered`] (see [`catch_up`](super::catch_up)).
    pub fn deliver_missed(&self, room: &RoomName, messages: &[StoredMessage]) {
        for message in messages {
            if let Some(state) = self.room(room) {
                state.deliver_after_catch_up(message);
            }
        }
    }

    fn room(&self, room: &RoomName) -> Option<Arc<RoomState>> {
        self.rooms.read().unwrap_or_else(PoisonError::into_inner).get(room).cloned()
    }
}

#[cfg(test)]
mod tests;
