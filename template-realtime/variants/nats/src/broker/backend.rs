//! The NATS broker: JetStream keeps each room's history and gives messages their ids, an
//! ordered consumer carries every room's messages to every node without loss, core NATS
//! carries presence events, and a second stream holds presence entries that expire.
//!
//! A message's id is its sequence in the `<PREFIX>_ROOMS` stream, so ids increase within a
//! room and across nodes. Each message also records `prev`, the id of the room's previous
//! message: publishing requires it to still be the room's last one
//! (`Nats-Expected-Last-Subject-Sequence`), and retries otherwise, so the chain is exact and a
//! client can tell whether anything it missed fell out of the history.
//!
//! Subjects, under `BROKER_PREFIX` (room names and users in hex, so that a `.` in them never
//! splits a token): `<prefix>.room.<room>` (stored), `<prefix>.events.<room>` (presence
//! events) and `<prefix>.presence.<room>.<user>.<node>` (one entry per user and node).

mod streams;
mod subscriber;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Broker, BrokerError, BrokerOptions, History};
use crate::config::ConfigError;
use crate::domain::{Draft, PresenceEvent, RoomName, StoredMessage};
use crate::hub::Hub;
use streams::Streams;

/// How many times a publication races other publishers to the same room before giving up.
const PUBLISH_ATTEMPTS: usize = 20;

/// The broker's own variables.
#[derive(Debug, Default, Deserialize)]
pub struct RawBrokerConfig {
    nats_url: Option<String>,
}

/// How to reach NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Settings shared by every broker.
    pub options: BrokerOptions,
    /// `NATS_URL`, default `nats://127.0.0.1:4222`.
    pub url: String,
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
        last_ids: Mutex::default(),
        tasks: Mutex::default(),
    });
    let tasks = subscriber::start(&broker, hub).await?;
    *broker.tasks.lock().unwrap_or_else(PoisonError::into_inner) = tasks;
    Ok(broker)
}

/// One node's connection to NATS.
pub struct NatsBroker {
    config: BrokerConfig,
    node: String,
    client: async_nats::Client,
    streams: Streams,
    /// The last id known per room: the `prev` of the next publication.
    last_ids: Mutex<HashMap<RoomName, u64>>,
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
        for _ in 0..PUBLISH_ATTEMPTS {
            let prev = self.last_id(&draft.room).await?;
            let stored = Stored {
                prev,
                room: &draft.room,
                from: &draft.from,
                body: &draft.body,
                ts: &draft.ts,
            };
            match self.streams.append(&draft.room, prev, &stored).await {
                Ok(id) => {
                    self.remember(&draft.room, id);
                    return Ok(draft.stored(id, prev));
                }
                Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                    self.forget(&draft.room);
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(BrokerError::Unavailable(format!(
            "`{}` is too busy: publication retried too often",
            draft.room
        )))
    }

    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError> {
        let latest = self.streams.latest(room).await?;
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
    /// The room's last id: remembered, or read from the stream.
    async fn last_id(&self, room: &RoomName) -> Result<u64, BrokerError> {
        let known = self.last_ids.lock().unwrap_or_else(PoisonError::into_inner).get(room).copied();
        match known {
            Some(id) => Ok(id),
            None => self.streams.latest(room).await,
        }
    }

    /// Records `id` as the room's last, unless a later one is known.
    fn remember(&self, room: &RoomName, id: u64) {
        let mut last_ids = self.last_ids.lock().unwrap_or_else(PoisonError::into_inner);
        let last = last_ids.entry(room.clone()).or_default();
        *last = (*last).max(id);
    }

    fn forget(&self, room: &RoomName) {
        self.last_ids.lock().unwrap_or_else(PoisonError::into_inner).remove(room);
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
