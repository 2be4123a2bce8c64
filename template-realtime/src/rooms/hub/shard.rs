//! A shard of a room's members: their outboxes, a snapshot of those for the fan-out, and the
//! frames queued for the shard's task.
//!
//! A frame goes to a shard either at once, in the caller (small rooms, when nothing is queued),
//! or through its queue, which one task at a time drains in order. Either way the pushes happen
//! outside the shard's lock, on a snapshot of its outboxes: a join or a leave never waits for a
//! fan-out, and a fan-out never waits for a join.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{Member, Outbox, RoomEvent};

/// Frames a shard queues at most. Past it the runtime has not run the shard's task for that
/// many messages, more than any outbox holds: the shard's members are cut off as too slow
/// (they reconnect with `since`), which keeps the queue bounded.
pub(super) const PENDING_LIMIT: usize = 1024;

/// Some of a room's members.
#[derive(Debug, Default)]
pub(super) struct Shard {
    state: Mutex<ShardState>,
}

#[derive(Debug, Default)]
struct ShardState {
    members: HashMap<u64, Member>,
    /// The members' outboxes, built on the first fan-out after a change of membership.
    snapshot: Option<Arc<[Arc<Outbox>]>>,
    /// Frames waiting for the shard's task, oldest first.
    pending: Vec<Arc<RoomEvent>>,
    /// A task is draining `pending`.
    draining: bool,
}

impl ShardState {
    fn snapshot(&mut self) -> Arc<[Arc<Outbox>]> {
        let members = &self.members;
        let snapshot = self
            .snapshot
            .get_or_insert_with(|| members.values().map(|member| member.outbox.clone()).collect());
        snapshot.clone()
    }
}

impl Shard {
    /// Adds a member.
    pub(super) fn insert(&self, member: Member) {
        let mut state = lock(&self.state);
        state.snapshot = None;
        state.members.insert(member.id, member);
    }

    /// Removes a member; returns its user, or `None` if it was not here.
    pub(super) fn remove(&self, member_id: u64) -> Option<Arc<str>> {
        let mut state = lock(&self.state);
        let member = state.members.remove(&member_id)?;
        state.snapshot = None;
        Some(member.user)
    }

    /// Sends a frame to the shard's members: at once when `inline` and nothing is queued, or
    /// through the shard's task, which this starts unless it runs already.
    pub(super) fn send(self: &Arc<Self>, event: &Arc<RoomEvent>, inline: bool) {
        let mut state = lock(&self.state);
        if inline && !state.draining {
            let outboxes = state.snapshot();
            drop(state);
            for outbox in outboxes.iter() {
                outbox.push(event.clone());
            }
            return;
        }
        if state.pending.len() >= PENDING_LIMIT {
            state.snapshot().iter().for_each(|outbox| outbox.cut_off());
            return;
        }
        state.pending.push(event.clone());
        if !state.draining {
            state.draining = true;
            drop(state);
            start_draining(self.clone());
        }
    }

    /// Pushes the queued frames to every member, batch after batch, until none is left.
    fn drain(&self) {
        loop {
            let (frames, outboxes) = {
                let mut state = lock(&self.state);
                if state.pending.is_empty() {
                    state.draining = false;
                    return;
                }
                (std::mem::take(&mut state.pending), state.snapshot())
            };
            for outbox in outboxes.iter() {
                outbox.push_all(&frames);
            }
        }
    }
}

/// Drains the shard on a task of the runtime, or in the caller outside one.
fn start_draining(shard: Arc<Shard>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn(async move { shard.drain() })),
        Err(_) => shard.drain(),
    }
}

/// Locks `mutex`. A poisoned lock (a panic while it was held) is used as it is, rather than
/// spreading the panic to every later caller.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
