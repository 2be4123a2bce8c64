//! The NATS broker: JetStream keeps each room's history and gives messages their ids, an
//! ordered consumer carries every room's messages to every node without loss, core NATS
//! carries presence events, and a second stream holds presence entries that expire.
//!
//! A message's id is its sequence in the `<PREFIX>_ROOMS` stream, so ids increase within a
//! room and across nodes. Each message also records `prev`, the id of the room's previous
//! message, so the chain is exact and a client can tell whether anything it missed fell out of
//! the history. Publishing requires `prev` to still be the room's last message
//! (`Nats-Expected-Last-Subject-Sequence`). On each node, publications to one room take turns
//! (see [`turns`]), so they never race each other; only another node's publication can get in
//! between, and then the node reads the new last id and tries again. Every failed try means
//! another publication succeeded, so a hot room keeps moving; a deadline bounds the wait.
//!
//! The rooms stream is bounded: `HISTORY_LENGTH` messages per room, twice
//! `HISTORY_MAX_AGE_SECS`, and `HISTORY_MAX_BYTES` for all rooms together (the oldest go
//! first). A room none of whose messages is left starts its chain at the stream's floor (below
//! its first stored message), so a client that held an id of it learns that it missed some.
//!
//! Subjects, under `BROKER_PREFIX` (room names and users in hex, so that a `.` in them never
//! splits a token): `<prefix>.room.<room>` (stored), `<prefix>.events.<room>` (presence
//! events) and `<prefix>.presence.<room>.<user>.<node>` (one entry per user and node).

mod streams;
mod subscriber;
mod turns;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::rooms::{Broker, BrokerError, BrokerOptions, Draft, History, Hub, PresenceEvent};
use crate::rooms::{RoomName, StoredMessage};
use crate::settings::ConfigError;
use crate::users::{SharedLimits, UserLimitStore};
use streams::Streams;
use turns::{LastIds, Turns};

/// The longest a publication may take, its wait for the room's turn on this node included.
const PUBLISH_DEADLINE: Duration = Duration::from_secs(5);

/// The broker's own variables.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawBrokerConfig {
    nats_url: Option<String>,
}

/// How to reach NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Settings shared by every broker.
    pub(crate) options: BrokerOptions,
    /// `NATS_URL`, default `nats://127.0.0.1:4222`.
    pub(crate) url: String,
}

impl BrokerConfig {
    pub(crate) fn from_raw(
        raw: RawBrokerConfig,
        options: BrokerOptions,
    ) -> Result<Self, ConfigError> {
        let url = raw.nats_url.unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned());
        if !url.starts_with("nats://") && !url.starts_with("tls://") {
            return Err(ConfigError::new("NATS_URL", "must start with nats:// or tls://"));
        }
        Ok(Self { options, url })
    }
}

/// Whether this broker can hold the per-user limits of every node: `RATE_LIMIT_STORE=redis`
/// needs `broker=redis`.
pub(crate) const SHARED_USER_LIMITS: bool = false;

/// The per-user limits of every node: this broker holds none.
#[must_use]
pub(crate) fn user_store(
    _config: &BrokerConfig,
    _limits: SharedLimits,
) -> Option<Arc<dyn UserLimitStore>> {
    None
}

/// Connects to NATS, sets up the streams, subscribes, and delivers to `hub`.
///
/// # Errors
/// When NATS cannot be reached or refuses the streams.
pub async fn connect(config: &BrokerConfig, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
    let client = async_nats::connect(config.url.as_str()).await.map_err(unavailable)?;
    let streams = Streams::create(jetstream::new(client.clone()), &config.options).await?;
    let broker = Arc::new(NatsBroker {
        config: config.clone(),
        node: streams::random_hex()?,
        client,
        streams,
        turns: Turns::default(),
        last_ids: LastIds::default(),
        tasks: Mutex::default(),
    });
    let tasks = subscriber::start(&broker, hub).await?;
    *broker.tasks.lock().unwrap_or_else(PoisonError::into_inner) = tasks;
    Ok(broker)
}

/// One node's connection to NATS.
pub(crate) struct NatsBroker {
    config: BrokerConfig,
    node: String,
    client: async_nats::Client,
    streams: Streams,
    /// Publications to one room on this node wait for each other.
    turns: Turns,
    /// The last id known per room: the `prev` of the next publication.
    last_ids: LastIds,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// A message as stored: everything but the id, which is the stream sequence.
#[derive(Serialize)]
struct Stored<'a> {
    prev: u64,
    room: &'a RoomName,
    from: &'a str,
    body: &'a RawValue,
    ts: &'a str,
}

#[async_trait::async_trait]
impl Broker for NatsBroker {
    async fn publish(&self, draft: Draft) -> Result<StoredMessage, BrokerError> {
        let room = draft.room.clone();
        let publishing = async {
            let _turn = self.turns.of(&room).lock().await;
            self.append_after_last(draft).await
        };
        tokio::time::timeout(PUBLISH_DEADLINE, publishing).await.unwrap_or_else(|_| {
            Err(BrokerError::Unavailable(format!(
                "`{room}` is too busy: no publication within {PUBLISH_DEADLINE:?}"
            )))
        })
    }

    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError> {
        let latest = self.streams.latest(room).await?;
        if latest == 0 {
            // Nothing stored (a new room, or one whose messages all went): read the floor.
            return Ok(History { messages: Vec::new(), latest: self.streams.floor().await? });
        }
        let messages = match since {
            Some(since) if since < latest => self.streams.read(room, since, latest).await?,
            _ => Vec::new(),
        };
        Ok(History { messages, latest })
    }

    async fn announce(&self, event: PresenceEvent) -> Result<(), BrokerError> {
        let payload =
            serde_json::to_vec(&event).map_err(|error| BrokerError::Corrupt(error.to_string()))?;
        let subject = self.streams.event_subject(&event.room);
        self.client.publish(subject, payload.into()).await.map_err(unavailable)
    }

    async fn mark_present(&self, entries: &[(RoomName, Arc<str>)]) -> Result<(), BrokerError> {
        let subjects = entries
            .iter()
            .map(|(room, user)| self.streams.presence_subject(room, user, &self.node));
        self.streams.touch(subjects.collect()).await
    }

    async fn clear_present(&self, room: &RoomName, user: &str) -> Result<(), BrokerError> {
        self.streams.clear(self.streams.presence_subject(room, user, &self.node)).await
    }

    async fn present_users(&self, room: &RoomName) -> Result<Vec<String>, BrokerError> {
        self.streams.present(room).await
    }

    async fn ping(&self) -> Result<(), BrokerError> {
        let flush = tokio::time::timeout(Duration::from_secs(2), self.client.flush());
        flush
            .await
            .map_err(|_| BrokerError::Unavailable("NATS did not answer in time".into()))?
            .map_err(unavailable)
    }

    async fn peer(&self, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
        connect(&self.config, hub).await
    }

    async fn close(&self) {
        self.stop();
    }

    async fn purge(&self) -> Result<(), BrokerError> {
        self.streams.delete().await
    }
}

impl NatsBroker {
    /// Appends the message after the room's last one. Called in the room's turn, so only
    /// another node can append in between: the stream then refuses, and the node reads the
    /// room's new last id and tries again.
    async fn append_after_last(&self, draft: Draft) -> Result<StoredMessage, BrokerError> {
        loop {
            let expected = match self.last_ids.get(&draft.room) {
                Some(id) => id,
                None => self.streams.latest(&draft.room).await?,
            };
            let prev = match expected {
                0 => self.streams.floor().await?,
                expected => expected,
            };
            let stored = Stored {
                prev,
                room: &draft.room,
                from: &draft.from,
                body: &draft.body,
                ts: &draft.ts,
            };
            match self.streams.append(&draft.room, expected, &stored).await {
                Ok(id) => {
                    self.last_ids.remember(&draft.room, id);
                    return Ok(draft.stored(id, prev));
                }
                Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                    self.last_ids.forget(&draft.room);
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
    }

    fn stop(&self) {
        for task in self.tasks.lock().unwrap_or_else(PoisonError::into_inner).drain(..) {
            task.abort();
        }
    }
}

impl Drop for NatsBroker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Any NATS failure, as the broker error the rest of the service understands.
fn unavailable(error: impl std::fmt::Display) -> BrokerError {
    BrokerError::Unavailable(error.to_string())
}
