//! What lets publications to one room follow each other on a node: a turn per room, and the
//! room's last id, so that the next publication knows its `prev` without asking NATS.
//!
//! Both are bounded whatever the number of rooms. Turns are a fixed set of stripes, one
//! chosen by the room's hash: two rooms on one stripe wait for each other, which costs a
//! little latency, never correctness. The last ids are a cache: a forgotten room costs one
//! read of its last message.

use std::collections::HashMap;
use std::hash::{BuildHasher as _, RandomState};
use std::sync::{Mutex, PoisonError};

use crate::rooms::RoomName;

/// Stripes of turns: enough that busy rooms rarely share one.
const STRIPES: usize = 256;

/// Rooms whose last id is remembered before the cache starts afresh.
const LAST_IDS_CAPACITY: usize = 10_000;

/// One turn per stripe of rooms.
#[derive(Debug)]
pub(super) struct Turns {
    stripes: Box<[tokio::sync::Mutex<()>]>,
    hasher: RandomState,
}

impl Default for Turns {
    fn default() -> Self {
        let stripes = (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect();
        Self { stripes, hasher: RandomState::new() }
    }
}

impl Turns {
    /// The turn that publications to `room` take on this node. Tokio's mutex is fair: the
    /// publications queue in the order they arrived.
    pub(super) fn of(&self, room: &RoomName) -> &tokio::sync::Mutex<()> {
        let hash = usize::try_from(self.hasher.hash_one(room) % STRIPES as u64).unwrap_or(0);
        &self.stripes[hash]
    }
}

/// The last id known per room, for at most [`LAST_IDS_CAPACITY`] rooms.
#[derive(Debug, Default)]
pub(super) struct LastIds {
    ids: Mutex<HashMap<RoomName, u64>>,
}

impl LastIds {
    /// The room's last id, if known.
    pub(super) fn get(&self, room: &RoomName) -> Option<u64> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner).get(room).copied()
    }

    /// Records `id` as the room's last, unless a later one is known.
    pub(super) fn remember(&self, room: &RoomName, id: u64) {
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        if ids.len() >= LAST_IDS_CAPACITY && !ids.contains_key(room) {
            ids.clear();
        }
        let last = ids.entry(room.clone()).or_default();
        *last = (*last).max(id);
    }

    /// Forgets the room's last id, which another node has moved on.
    pub(super) fn forget(&self, room: &RoomName) {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner).remove(room);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).unwrap()
    }

    #[test]
    fn a_room_always_gets_the_same_turn() {
        let turns = Turns::default();
        assert!(std::ptr::eq(turns.of(&room("a")), turns.of(&room("a"))));
    }

    #[test]
    fn last_ids_only_move_forward_and_stay_bounded() {
        let ids = LastIds::default();
        ids.remember(&room("a"), 7);
        ids.remember(&room("a"), 5);
        assert_eq!(ids.get(&room("a")), Some(7));
        ids.forget(&room("a"));
        assert_eq!(ids.get(&room("a")), None);
        for n in 0..=LAST_IDS_CAPACITY {
            ids.remember(&room(&format!("r{n}")), 1);
        }
        let held = ids.ids.lock().unwrap().len();
        assert!(held <= LAST_IDS_CAPACITY, "{held} rooms remembered");
    }
}
