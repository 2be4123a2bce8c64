//! The in-process broker: the zero-setup default, for one node.
//!
//! Histories, ids and presence live in this process's memory, so they vanish on restart and
//! are not shared with other processes. Several nodes in one process (as the tests run them)
//! share one broker through [`Broker::peer`]. Generate the project with `broker=redis` or
//! `broker=nats` to run several processes.
//!
//! The histories are bounded in rooms, messages, bytes and age (see [`logs`]); a background
//! task drops what has aged out, so that rooms nobody uses any more cost nothing.

mod logs;
mod turns;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::{Broker, BrokerError, BrokerOptions, Held, History};
use crate::domain::{Draft, PresenceEvent, RoomName, StoredMessage};
use crate::hub::Hub;
use crate::settings::ConfigError;
use crate::users::{SharedLimits, UserLimitStore};
use logs::Logs;
use turns::Turns;

/// The broker's own variables: the in-process broker has none.
#[derive(Debug, Default, Deserialize)]
pub struct RawBrokerConfig {}

/// How to run the in-process broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Settings shared by every broker.
    pub options: BrokerOptions,
}

impl BrokerConfig {
    #[expect(clippy::unnecessary_wraps, reason = "the other brokers' settings can be invalid")]
    pub(crate) fn from_raw(
        _raw: RawBrokerConfig,
        options: BrokerOptions,
    ) -> Result<Self, ConfigError> {
        Ok(Self { options })
    }
}

/// Whether this broker can hold the per-user limits of every node: `RATE_LIMIT_STORE=redis`
/// needs `broker=redis`.
pub const SHARED_USER_LIMITS: bool = false;

/// The per-user limits of every node: this broker holds none.
#[must_use]
pub fn user_store(
    _config: &BrokerConfig,
    _limits: SharedLimits,
) -> Option<Arc<dyn UserLimitStore>> {
    None
}

/// Starts the broker and delivers to `hub`.
///
/// # Errors
/// Never: nothing can be unreachable in memory.
pub async fn connect(config: &BrokerConfig, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
    let shared = Arc::new(Shared {
        options: config.options.clone(),
        logs: Mutex::new(Logs::new(config.options.history)),
        turns: Turns::default(),
        presence: Mutex::default(),
        nodes: Mutex::default(),
        next_node: AtomicU64::new(0),
    });
    tokio::spawn(expire_periodically(Arc::downgrade(&shared)));
    Ok(Arc::new(MemoryBroker::attach(shared, &hub)))
}

/// Drops aged-out messages and idle rooms a few times per `HISTORY_MAX_AGE_SECS` (at least
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

#[cfg(test)]
mod tests;
