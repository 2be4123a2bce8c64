//! The in-process broker: the zero-setup default, for one node.
//!
//! Histories, ids and presence live in this process's memory, so they vanish on restart and
//! are not shared with other processes. Several nodes in one process (as the tests run them)
//! share one broker through [`Broker::peer`]. Generate the project with `broker=redis` or
//! `broker=nats` to run several processes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use serde::Deserialize;
use tokio::time::Instant;

use super::{Broker, BrokerError, BrokerOptions, History};
use crate::config::ConfigError;
use crate::domain::{Draft, PresenceEvent, RoomName, StoredMessage};
use crate::hub::Hub;

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

/// Starts the broker and delivers to `hub`.
///
/// # Errors
/// Never: nothing can be unreachable in memory.
pub async fn connect(config: &BrokerConfig, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
    let shared = Arc::new(Shared {
        options: config.options.clone(),
        logs: Mutex::default(),
        presence: Mutex::default(),
        nodes: Mutex::default(),
        next_node: AtomicU64::new(0),
    });
    Ok(Arc::new(MemoryBroker::attach(shared, &hub)))
}

/// One room's log: its latest id and its retained messages.
#[derive(Debug, Default)]
struct Log {
    latest: u64,
    messages: VecDeque<StoredMessage>,
}

/// Presence entries: `(room, user, node)` and when each expires.
type PresenceEntries = HashMap<(RoomName, Arc<str>, u64), Instant>;

/// State shared by every node attached to the broker.
#[derive(Debug)]
struct Shared {
    options: BrokerOptions,
    logs: Mutex<HashMap<RoomName, Log>>,
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
        let hubs = self.hubs();
        let mut logs = lock(&self.shared.logs);
        let log = logs.entry(draft.room.clone()).or_default();
        let message = draft.stored(log.latest + 1, log.latest);
        log.latest = message.id;
        log.messages.push_back(message.clone());
        if log.messages.len() > self.shared.options.history.length {
            log.messages.pop_front();
        }
        // Delivering under the lock keeps every node's stream in id order.
        for hub in hubs {
            hub.deliver(&message);
        }
        Ok(message)
    }

    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError> {
        let logs = lock(&self.shared.logs);
        let Some(log) = logs.get(room) else { return Ok(History::default()) };
        let messages = since.map_or_else(Vec::new, |since| {
            log.messages.iter().filter(|message| message.id > since).cloned().collect()
        });
        Ok(History { messages, latest: log.latest })
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
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
