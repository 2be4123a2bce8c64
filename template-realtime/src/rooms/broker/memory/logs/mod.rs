//! The in-process broker's histories, bounded whatever the number of rooms: each room keeps
//! at most `length` messages younger than `max_age`, all rooms together hold at most
//! `max_bytes` of messages, and at most `max_rooms` rooms are kept (see `HistoryConfig`).
//!
//! Past a bound, the least recently used rooms give way: their oldest messages first, then
//! the whole room once it has no message left and no member on any node. Ids never go back:
//! a room that is created again starts above the last id of every room evicted before it, so a
//! client that still holds an old id is told that the messages after it are gone.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::mem::size_of;

use tokio::time::Instant;

use super::{BrokerError, Draft, Held, History, HistoryConfig, RoomName, StoredMessage};

/// A retained message, with when it was stored and what it costs.
#[derive(Debug)]
struct Kept {
    message: StoredMessage,
    stored_at: Instant,
    bytes: usize,
}

/// One room's log: its latest id, its retained messages, and when it was last used.
#[derive(Debug)]
struct Log {
    latest: u64,
    messages: VecDeque<Kept>,
    used: u64,
}

/// Every room's log, and the order in which they were last used.
#[derive(Debug)]
pub(super) struct Logs {
    config: HistoryConfig,
    rooms: HashMap<RoomName, Log>,
    by_use: BTreeMap<u64, RoomName>,
    clock: u64,
    bytes: usize,
    floor: u64,
}

impl Logs {
    pub(super) fn new(config: HistoryConfig) -> Self {
        Self {
            config,
            rooms: HashMap::new(),
            by_use: BTreeMap::new(),
            clock: 0,
            bytes: 0,
            floor: 0,
        }
    }

    /// Gives the draft the room's next id and keeps it; `in_use` tells whether a room has
    /// members somewhere, which keeps its log (not its messages) from eviction.
    pub(super) fn append(
        &mut self,
        draft: Draft,
        in_use: &dyn Fn(&RoomName) -> bool,
    ) -> Result<StoredMessage, BrokerError> {
        if !self.rooms.contains_key(&draft.room) {
            self.make_room_for_one(in_use)?;
        }
        let used = self.tick();
        let floor = self.floor;
        let room = draft.room.clone();
        let log = self.rooms.entry(room.clone()).or_insert_with(|| Log {
            latest: floor,
            messages: VecDeque::new(),
            used,
        });
        let message = draft.stored(log.latest + 1, log.latest);
        log.latest = message.id;
        let bytes = cost(&message);
        log.messages.push_back(Kept { message: message.clone(), stored_at: Instant::now(), bytes });
        self.bytes += bytes;
        let dropped = trim_to_length(log, self.config.length);
        self.bytes -= dropped;
        self.touch(&room, used);
        self.shed_to_budget(in_use);
        Ok(message)
    }

    /// The room's latest id and, when `since` is given, its retained messages after `since`.
    /// A room without a log has the floor as its latest id: whatever it had is gone.
    pub(super) fn read(&self, room: &RoomName, since: Option<u64>) -> History {
        let Some(log) = self.rooms.get(room) else {
            return History { messages: Vec::new(), latest: self.floor };
        };
        let messages = since.map_or_else(Vec::new, |since| {
            let after = log.messages.iter().filter(|kept| kept.message.id > since);
            after.map(|kept| kept.message.clone()).collect()
        });
        History { messages, latest: log.latest }
    }

    /// Drops the messages older than the age limit, and the logs left with no message and no
    /// member.
    pub(super) fn expire(&mut self, now: Instant, in_use: &dyn Fn(&RoomName) -> bool) {
        let Some(cutoff) = now.checked_sub(self.config.max_age) else { return };
        let mut emptied = Vec::new();
        for (room, log) in &mut self.rooms {
            while log.messages.front().is_some_and(|kept| kept.stored_at < cutoff) {
                self.bytes -= log.messages.pop_front().map_or(0, |kept| kept.bytes);
            }
            if log.messages.is_empty() {
                emptied.push(room.clone());
            }
        }
        for room in emptied.iter().filter(|room| !in_use(room)) {
            self.evict(room);
        }
    }

    /// What the logs hold now.
    pub(super) fn held(&self) -> Held {
        Held { rooms: self.rooms.len(), bytes: self.bytes }
    }

    /// Forgets everything, the floor included.
    pub(super) fn clear(&mut self) {
        *self = Self::new(self.config);
    }

    /// Frees a place for a new room when `max_rooms` are kept: evicts the least
    /// recently used room that nobody is in.
    fn make_room_for_one(&mut self, in_use: &dyn Fn(&RoomName) -> bool) -> Result<(), BrokerError> {
        if self.rooms.len() < self.config.max_rooms {
            return Ok(());
        }
        let idle = self.by_use.values().find(|room| !in_use(room)).cloned();
        let room = idle.ok_or(BrokerError::RoomLimit)?;
        self.evict(&room);
        Ok(())
    }

    /// Drops the oldest messages of the least recently used rooms until the bytes fit.
    fn shed_to_budget(&mut self, in_use: &dyn Fn(&RoomName) -> bool) {
        while self.bytes > self.config.max_bytes {
            let rooms = &self.rooms;
            let has_messages =
                |room: &&RoomName| rooms.get(*room).is_some_and(|log| !log.messages.is_empty());
            let Some(room) = self.by_use.values().find(has_messages).cloned() else { return };
            let Some(log) = self.rooms.get_mut(&room) else { return };
            while self.bytes > self.config.max_bytes && !log.messages.is_empty() {
                self.bytes -= log.messages.pop_front().map_or(0, |kept| kept.bytes);
            }
            if log.messages.is_empty() && !in_use(&room) {
                self.evict(&room);
            }
        }
    }

    fn evict(&mut self, room: &RoomName) {
        let Some(log) = self.rooms.remove(room) else { return };
        self.by_use.remove(&log.used);
        self.bytes -= log.messages.iter().map(|kept| kept.bytes).sum::<usize>();
        self.floor = self.floor.max(log.latest);
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// Marks the room as used at `used`.
    fn touch(&mut self, room: &RoomName, used: u64) {
        let Some(log) = self.rooms.get_mut(room) else { return };
        if log.used != used {
            self.by_use.remove(&log.used);
            log.used = used;
        }
        self.by_use.insert(used, room.clone());
    }
}

/// Pops the oldest messages past `length`; returns their bytes.
fn trim_to_length(log: &mut Log, length: usize) -> usize {
    let mut dropped = 0;
    while log.messages.len() > length {
        dropped += log.messages.pop_front().map_or(0, |kept| kept.bytes);
    }
    dropped
}

/// What a retained message costs: its text and its bookkeeping.
fn cost(message: &StoredMessage) -> usize {
    let text = message.body.get().len() + message.from.len() + message.ts.len();
    size_of::<Kept>() + text + message.room.as_str().len()
}

#[cfg(test)]
mod tests;
