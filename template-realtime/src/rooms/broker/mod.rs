//! The broker connects the nodes: it gives each message its id, keeps each room's bounded
//! history, carries messages and presence events to every node, and stores who is present.
//!
//! Everything else sees it through the [`Broker`] trait. [`MemoryBroker`] (`memory/`) is
//! the in-process one, for one node (or several nodes in one process, as tests run them);
//! a broker shared by several processes (Redis, NATS…) implements the trait outside this
//! folder, and delivers into each node's [`Hub`] with [`Hub::deliver`], [`Hub::announce`] and
//! [`catch_up`].

mod catch_up;
mod memory;
pub mod replay;

use std::sync::Arc;
use std::time::Duration;

pub use catch_up::{catch_up, catch_up_all};
pub use memory::MemoryBroker;

use super::hub::Hub;
use super::{Draft, PresenceEvent, RoomName, StoredMessage};

/// How much of each room's past is kept for clients that reconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryConfig {
    /// Messages kept per room (default 1000).
    pub length: usize,
    /// Oldest message replayed (default a day).
    pub max_age: Duration,
    /// Bytes of messages kept across all rooms (default 32 MiB): by the
    /// in-process broker in memory, by NATS in its rooms stream. The oldest go first.
    pub max_bytes: usize,
    /// Rooms whose history the in-process broker keeps (default 10000);
    /// the least recently used one that nobody is in gives way to a new one.
    pub max_rooms: usize,
}

impl Default for HistoryConfig {
    /// 1000 messages per room, a day, 32 MiB, 10000 rooms.
    fn default() -> Self {
        Self {
            length: 1000,
            max_age: Duration::from_hours(24),
            max_bytes: 32 * 1024 * 1024,
            max_rooms: 10_000,
        }
    }
}

/// What every broker needs, whichever it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerOptions {
    /// The namespace of every key, channel, subject and stream.
    pub prefix: String,
    /// How much of each room's past is kept.
    pub history: HistoryConfig,
    /// How long a node's presence entries outlive it.
    pub presence_ttl: Duration,
}

/// Why a broker operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The broker cannot be reached, or refused the operation.
    #[error("the broker is unavailable: {0}")]
    Unavailable(String),
    /// The broker answered something this service cannot read.
    #[error("unexpected data from the broker: {0}")]
    Corrupt(String),
    /// A new room would pass [`HistoryConfig::max_rooms`], and every room kept has members.
    #[error("too many rooms have a history: try again later")]
    RoomLimit,
}

/// What a broker holds in this process's memory for the histories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Rooms with a history.
    pub rooms: usize,
    /// Bytes of retained messages, as accounted (their text and bookkeeping).
    pub bytes: usize,
}

/// Part of a room's history, and the room's latest id.
#[derive(Debug, Default)]
pub struct History {
    /// Retained messages after the requested id, oldest first.
    pub messages: Vec<StoredMessage>,
    /// The id of the room's latest message, retained or not (0 if it has none).
    pub latest: u64,
}

/// The operations every broker offers. Each node opens one (the in-process one with
/// [`MemoryBroker::start`]), and the broker delivers every room's messages and presence events to that node's [`Hub`].
#[async_trait::async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Gives the message the room's next id, stores it in the history and delivers it to
    /// every node.
    async fn publish(&self, draft: Draft) -> Result<StoredMessage, BrokerError>;

    /// The room's latest id and, when `since` is given, its retained messages after `since`.
    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError>;

    /// Delivers a presence event to every node.
    async fn announce(&self, event: PresenceEvent) -> Result<(), BrokerError>;

    /// Records, or refreshes, users as present on this node for the presence TTL.
    async fn mark_present(&self, entries: &[(RoomName, Arc<str>)]) -> Result<(), BrokerError>;

    /// Removes a user's presence on this node.
    async fn clear_present(&self, room: &RoomName, user: &str) -> Result<(), BrokerError>;

    /// The users present in the room on any node whose entries have not expired, sorted.
    async fn present_users(&self, room: &RoomName) -> Result<Vec<String>, BrokerError>;

    /// Whether the broker answers.
    async fn ping(&self) -> Result<(), BrokerError>;

    /// Another node's connection to the same broker, delivering to `hub`. Tests run several
    /// nodes in one process this way.
    async fn peer(&self, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError>;

    /// Stops delivering to this node and releases the connection.
    async fn close(&self);

    /// Deletes everything stored under the prefix: histories, ids and presence.
    async fn purge(&self) -> Result<(), BrokerError>;

    /// What this process holds for the histories: `Some` for the in-process broker, `None` for
    /// the brokers that keep them elsewhere.
    fn held(&self) -> Option<Held> {
        None
    }
}

/// Logs and counts (`realtime_broker_errors_total`) a broker operation that failed in the
/// background, where nobody waits for its error.
pub(super) fn broker_failed(operation: &'static str, error: &BrokerError) {
    tracing::warn!(%error, operation, "broker operation failed");
    metrics::counter!("realtime_broker_errors_total", "operation" => operation).increment(1);
}
