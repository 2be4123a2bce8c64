//! One room on this node: its local members, in shards, and the last message id delivered to
//! them.
//!
//! Joining and leaving cost O(1): members live in hash maps keyed by member id, and the room
//! counts each user's connections. A delivery never holds a lock that a join, a leave or another
//! room needs while it pushes: each shard hands out a snapshot of its outboxes (rebuilt after a
//! change of membership, at most once per delivery), and the pushes happen outside the shard's
//! lock. Rooms of up to [`INLINE_MEMBERS`] members are served by the caller; larger ones queue
//! each frame on every shard, and each shard is drained by a task of its own, so that the
//! fan-out of a large room spreads over the runtime's worker threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::shard::{Shard, lock};
use super::{Delivery, Left, Member, RoomEvent, StoredMessage};

/// Shards of a room: enough to keep every worker thread of a small machine busy. Each is
/// allocated with its first member, so a small room costs one.
const SHARDS: usize = 8;

/// Rooms with at most this many members on the node fan out in the caller, without a task.
pub(super) const INLINE_MEMBERS: usize = 256;

/// The members of a room on this node, and where its message stream stands.
#[derive(Debug, Default)]
pub(super) struct RoomState {
    /// The last id delivered; 0 until the first one is known. Held while delivering, so that
    /// deliveries to one room never interleave.
    last_id: Mutex<u64>,
    /// Connections of each user in the room.
    users: Mutex<HashMap<Arc<str>, usize>>,
    size: AtomicUsize,
    shards: [OnceLock<Arc<Shard>>; SHARDS],
}

impl RoomState {
    /// Adds a member; true when its user had no other connection here.
    pub(super) fn add(&self, member: Member) -> bool {
        let mut users = lock(&self.users);
        let count = users.entry(member.user.clone()).or_default();
        *count += 1;
        let first_of_user = *count == 1;
        let index = shard_of(member.id);
        self.shards[index].get_or_init(Arc::default).insert(member);
        self.size.fetch_add(1, Ordering::AcqRel);
        first_of_user
    }

    /// Removes a member; returns who left and whether the room is now empty.
    pub(super) fn remove(&self, member_id: u64) -> Option<(Left, bool)> {
        let mut users = lock(&self.users);
        let user = self.shards[shard_of(member_id)].get()?.remove(member_id)?;
        let last_of_user = match users.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                users.remove(&user);
                true
            }
        };
        let now_empty = self.size.fetch_sub(1, Ordering::AcqRel) == 1;
        Some((Left { user, last_of_user }, now_empty))
    }

    /// Sets the last delivered id, unless one is known.
    pub(super) fn start_at(&self, latest: u64) {
        let mut last = lock(&self.last_id);
        if *last == 0 {
            *last = latest;
        }
    }

    /// The last delivered id, once known.
    pub(super) fn last_id(&self) -> Option<u64> {
        let last = *lock(&self.last_id);
        (last != 0).then_some(last)
    }

    /// Delivers a live message: duplicates are dropped, and a gap is reported, not delivered.
    pub(super) fn deliver(&self, message: &StoredMessage) -> Delivery {
        let mut last = lock(&self.last_id);
        if *last != 0 && message.id <= *last {
            return Delivery::Duplicate;
        }
        if *last != 0 && message.prev > *last {
            return Delivery::Gap { last: *last };
        }
        *last = message.id;
        Delivery::Delivered(self.fan_out(&Arc::new(RoomEvent::message(message))))
    }

    /// Delivers a message read back from the history while catching up: only duplicates are
    /// dropped, since what fell out of the history cannot be fetched anyway.
    pub(super) fn deliver_after_catch_up(&self, message: &StoredMessage) {
        let mut last = lock(&self.last_id);
        if message.id <= *last {
            return;
        }
        *last = message.id;
        self.fan_out(&Arc::new(RoomEvent::message(message)));
    }

    /// Sends a frame to every member, in the caller for a small room, through the shards' tasks
    /// for a large one; returns how many members the room had.
    pub(super) fn fan_out(&self, event: &Arc<RoomEvent>) -> usize {
        let size = self.size();
        let inline = size <= INLINE_MEMBERS;
        for shard in self.shards.iter().filter_map(OnceLock::get) {
            shard.send(event, inline);
        }
        size
    }

    /// How many members the room has on this node.
    pub(super) fn size(&self) -> usize {
        self.size.load(Ordering::Acquire)
    }

    /// The distinct users with a connection here.
    pub(super) fn users(&self) -> Vec<Arc<str>> {
        let mut users: Vec<Arc<str>> = lock(&self.users).keys().cloned().collect();
        users.sort_unstable();
        users
    }
}

/// The shard of a member: member ids are consecutive, so shards fill evenly.
pub(super) fn shard_of(member_id: u64) -> usize {
    let shards = u64::try_from(SHARDS).unwrap_or(1);
    usize::try_from(member_id % shards).unwrap_or_default()
}
