//! One publication at a time per room: the turn is held from the id the logs give a message to
//! its delivery to every node, so that each node receives a room's messages in id order, while
//! publications to other rooms, which take other turns, go on.
//!
//! A room has a turn only while a publication holds it or waits for it: the last one to let go
//! removes it, so the map is bounded by the publications in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::RoomName;

type Turn = Arc<AsyncMutex<()>>;

/// The turns of the rooms being published to.
#[derive(Debug, Default)]
pub(super) struct Turns {
    rooms: Arc<Mutex<HashMap<RoomName, Turn>>>,
}

/// A room's turn, held until dropped.
#[derive(Debug)]
pub(super) struct Held {
    rooms: Arc<Mutex<HashMap<RoomName, Turn>>>,
    room: RoomName,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    /// Waits for the room's turn. Tokio's mutex is fair: publications take it in the order
    /// they asked.
    pub(super) async fn take(&self, room: &RoomName) -> Held {
        let turn = {
            let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
            rooms.entry(room.clone()).or_default().clone()
        };
        let guard = turn.lock_owned().await;
        Held { rooms: self.rooms.clone(), room: room.clone(), guard: Some(guard) }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        self.guard = None;
        // The map's reference is the last one: nobody holds the turn or waits for it.
        if rooms.get(&self.room).is_some_and(|turn| Arc::strong_count(turn) == 1) {
            rooms.remove(&self.room);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).unwrap()
    }

    #[tokio::test]
    async fn a_room_waits_for_its_own_turn_only_and_turns_go_away() {
        let turns = Turns::default();
        let held = turns.take(&room("a")).await;
        let other = turns.take(&room("b")).await;
        drop(other);
        let waiting = tokio::spawn({
            let turns = Turns { rooms: turns.rooms.clone() };
            async move { drop(turns.take(&room("a")).await) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "a second publication to the room waits");
        drop(held);
        waiting.await.unwrap();
        assert_eq!(turns.len(), 0, "no turn is left once nobody holds one");
    }
}
