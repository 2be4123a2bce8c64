//! The in-process broker: the zero-setup one, for one node.
//!
//! Histories, ids and presence live in this process's memory, so they vanish on restart and
//! are not shared with other processes. Several nodes in one process (as tests run them)
//! share one broker through [`Broker::peer`]. To run several processes, implement [`Broker`]
//! over a shared broker (the template does it for Redis and NATS).
//!
//! The histories are bounded in rooms, messages, bytes and age (see `logs/`); a background
//! task drops what has aged out, so that rooms nobody uses any more cost nothing.

mod logs;
mod turns;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::{Broker, BrokerError, BrokerOptions, Held, History, HistoryConfig};
use super::{Draft, Hub, PresenceEvent, RoomName, StoredMessage};
use logs::Logs;
use turns::Turns;

impl MemoryBroker {
    /// Starts an in-process broker that delivers to `hub`; [`Broker::peer`] attaches other
    /// hubs of this process. Needs a tokio runtime (it spawns the task that expires histories).
    #[must_use]
    pub fn start(options: &BrokerOptions, hub: &Arc<Hub>) -> Arc<dyn Broker> {
        let shared = Arc::new(Shared {
            options: options.clone(),
            logs: Mutex::new(Logs::new(options.history)),
            turns: Turns::default(),
            presence: Mutex::default(),
            nodes: Mutex::default(),
            next_node: AtomicU64::new(0),
        });
        tokio::spawn(expire_periodically(Arc::downgrade(&shared)));
        Arc::new(Self::attach(shared, hub))
    }
}

/// Drops aged-out messages and idle rooms a few times per history's `max_age` (at least
/// every minute), until the broker is gone.
async fn expire_periodically(shared: Weak<Shared>) {
    let Some(max_age) = shared.upgrade().map(|shared| shared.options.history.max_age) else {
        return;
    };
    let period = (max_age / 4).clamp(Duration::from_secs(1), Duration::from_mins(1));
    let mut interval = tokio::time::interval(period);
    loop {
        interval.tick().await;
        let Some(shared) = shared.upgrade() else { return };
        let in_use = shared.in_use();
        let now = Instant::now();
        lock(&shared.logs).expire(now, &in_use);
        lock(&shared.presence).retain(|_, expiry| *expiry > now);
    }
}

/// Presence entries: `(room, user, node)` and when each expires.
type PresenceEntries = HashMap<(RoomName, Arc<str>, u64), Instant>;

/// State shared by every node attached to the broker.
#[derive(Debug)]
struct Shared {
    options: BrokerOptions,
    logs: Mutex<Logs>,
    /// One publication at a time per room, from its id to its delivery.
    turns: Turns,
    presence: Mutex<PresenceEntries>,
    nodes: Mutex<Vec<(u64, Weak<Hub>)>>,
    next_node: AtomicU64,
}

/// One node's handle on the in-process broker.
#[derive(Debug)]
pub struct MemoryBroker {
    shared: Arc<Shared>,
    node: u64,
}

impl Shared {
    /// Whether a room has members on some node: its log must keep its latest id.
    fn in_use(&self) -> impl Fn(&RoomName) -> bool + use<> {
        let hubs: Vec<Arc<Hub>> =
            lock(&self.nodes).iter().filter_map(|(_, hub)| hub.upgrade()).collect();
        move |room| hubs.iter().any(|hub| hub.serves(room))
    }
}

impl MemoryBroker {
    fn attach(shared: Arc<Shared>, hub: &Arc<Hub>) -> Self {
        let node = shared.next_node.fetch_add(1, Ordering::Relaxed);
        lock(&shared.nodes).push((node, Arc::downgrade(hub)));
        Self { shared, node }
    }

    fn hubs(&self) -> Vec<Arc<Hub>> {
        lock(&self.shared.nodes).iter().filter_map(|(_, hub)| hub.upgrade()).collect()
    }
}

#[async_trait::async_trait]
impl Broker for MemoryBroker {
    async fn publish(&self, draft: Draft) -> Result<StoredMessage, BrokerError> {
        let turn = self.shared.turns.take(&draft.room).await;
        let hubs = self.hubs();
        let in_use = |room: &RoomName| hubs.iter().any(|hub| hub.serves(room));
        let message = lock(&self.shared.logs).append(draft, &in_use)?;
        // The room's turn, not the logs' lock, keeps every node's stream of this room in id
        // order: publications to other rooms go on while this one fans out.
        for hub in hubs {
            hub.deliver(&message);
        }
        drop(turn);
        Ok(message)
    }

    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError> {
        Ok(lock(&self.shared.logs).read(room, since))
    }

    async fn announce(&self, event: PresenceEvent) -> Result<(), BrokerError> {
        for hub in self.hubs() {
            hub.announce(&event);
        }
        Ok(())
    }

    async fn mark_present(&self, entries: &[(RoomName, Arc<str>)]) -> Result<(), BrokerError> {
        let expiry = Instant::now() + self.shared.options.presence_ttl;
        let mut presence = lock(&self.shared.presence);
        for (room, user) in entries {
            presence.insert((room.clone(), user.clone(), self.node), expiry);
        }
        Ok(())
    }

    async fn clear_present(&self, room: &RoomName, user: &str) -> Result<(), BrokerError> {
        lock(&self.shared.presence).remove(&(room.clone(), Arc::from(user), self.node));
        Ok(())
    }

    async fn present_users(&self, room: &RoomName) -> Result<Vec<String>, BrokerError> {
        let now = Instant::now();
        let mut presence = lock(&self.shared.presence);
        presence.retain(|_, expiry| *expiry > now);
        let mut users: Vec<String> =
            presence.keys().filter(|key| key.0 == *room).map(|key| key.1.to_string()).collect();
        users.sort_unstable();
        users.dedup();
        Ok(users)
    }

    async fn ping(&self) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn peer(&self, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
        Ok(Arc::new(Self::attach(self.shared.clone(), &hub)))
    }

    async fn close(&self) {
        lock(&self.shared.nodes).retain(|(node, _)| *node != self.node);
    }

    async fn purge(&self) -> Result<(), BrokerError> {
        lock(&self.shared.logs).clear();
        lock(&self.shared.presence).clear();
        Ok(())
    }

    fn held(&self) -> Option<Held> {
        Some(lock(&self.shared.logs).held())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
