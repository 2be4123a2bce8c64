//! One room on this node: its local members and the last message id delivered to them.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::{Delivery, Envelope, Left, Member};
use crate::domain::StoredMessage;

/// The members of a room on this node, and where its message stream stands.
#[derive(Debug, Default)]
pub(super) struct RoomState {
    /// The last id delivered; 0 until the first one is known. Held while delivering, so that
    /// deliveries to one room never interleave.
    last_id: Mutex<u64>,
    members: RwLock<Vec<Member>>,
}

impl RoomState {
    /// Adds a member; true when its user had no other connection here.
    pub(super) fn add(&self, member: Member) -> bool {
        let mut members = self.members.write().unwrap_or_else(PoisonError::into_inner);
        let first_of_user = !members.iter().any(|other| other.user == member.user);
        members.push(member);
        first_of_user
    }

    /// Removes a member; returns who left and whether the room is now empty.
    pub(super) fn remove(&self, member_id: u64) -> Option<(Left, bool)> {
        let mut members = self.members.write().unwrap_or_else(PoisonError::into_inner);
        let index = members.iter().position(|member| member.id == member_id)?;
        let user = members.swap_remove(index).user;
        let last_of_user = !members.iter().any(|other| other.user == user);
        Some((Left { user, last_of_user }, members.is_empty()))
    }

    /// Sets the last delivered id, unless one is known.
    pub(super) fn start_at(&self, latest: u64) {
        let mut last = self.last_id.lock().unwrap_or_else(PoisonError::into_inner);
        if *last == 0 {
            *last = latest;
        }
    }

    /// The last delivered id, once known.
    pub(super) fn last_id(&self) -> Option<u64> {
        let last = *self.last_id.lock().unwrap_or_else(PoisonError::into_inner);
        (last != 0).then_some(last)
    }

    /// Delivers a live message: duplicates are dropped, and a gap is reported, not delivered.
    pub(super) fn deliver(&self, message: &StoredMessage) -> Delivery {
        let mut last = self.last_id.lock().unwrap_or_else(PoisonError::into_inner);
        if *last != 0 && message.id <= *last {
            return Delivery::Duplicate;
        }
        if *last != 0 && message.prev > *last {
            return Delivery::Gap { last: *last };
        }
        *last = message.id;
        Delivery::Delivered(self.fan_out(&Arc::new(Envelope::message(message))))
    }

    /// Delivers a message read back from the history while catching up: only duplicates are
    /// dropped, since what fell out of the history cannot be fetched anyway.
    pub(super) fn deliver_after_catch_up(&self, message: &StoredMessage) {
        let mut last = self.last_id.lock().unwrap_or_else(PoisonError::into_inner);
        if message.id <= *last {
            return;
        }
        *last = message.id;
        self.fan_out(&Arc::new(Envelope::message(message)));
    }

    /// Pushes a frame to every member; returns how many accepted it.
    pub(super) fn fan_out(&self, envelope: &Arc<Envelope>) -> usize {
        let members = self.members.read().unwrap_or_else(PoisonError::into_inner);
        members.iter().filter(|member| member.outbox.push(Arc::clone(envelope))).count()
    }

    /// How many members the room has on this node.
    pub(super) fn size(&self) -> usize {
        self.members.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// The distinct users with a connection here.
    pub(super) fn users(&self) -> Vec<Arc<str>> {
        let members = self.members.read().unwrap_or_else(PoisonError::into_inner);
        let mut users: Vec<Arc<str>> = members.iter().map(|member| member.user.clone()).collect();
        users.sort_unstable();
        users.dedup();
        users
    }
}
