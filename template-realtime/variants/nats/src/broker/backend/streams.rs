//! The JetStream side of the NATS broker: the two streams, appending, reading a room's
//! history, and the presence entries.

use async_nats::jetstream::Context;
use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_nats::jetstream::context::PublishError;
use async_nats::jetstream::stream::{self, LastRawMessageErrorKind, StorageType};
use futures_util::TryStreamExt as _;

use super::{Stored, unavailable};
use crate::rooms::{BrokerError, BrokerOptions, RoomName, StoredMessage, hex};

/// How long reading a room's history may take.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The rooms stream and the presence stream, and the subjects in them.
pub(super) struct Streams {
    jetstream: Context,
    prefix: String,
    rooms: stream::Stream,
    presence: stream::Stream,
}

impl Streams {
    /// Creates, or updates, both streams.
    pub(super) async fn create(
        jetstream: Context,
        options: &BrokerOptions,
    ) -> Result<Self, BrokerError> {
        let prefix = options.prefix.clone();
        let rooms = stream::Config {
            name: format!("{prefix}_ROOMS"),
            subjects: vec![format!("{prefix}.room.*")],
            max_messages_per_subject: i64::try_from(options.history.length).unwrap_or(i64::MAX),
            // Kept twice the replay age, so that a client far behind learns it missed some.
            max_age: options.history.max_age.saturating_mul(2),
            // All rooms together: the oldest messages go first, whatever their room.
            max_bytes: i64::try_from(options.history.max_bytes).unwrap_or(i64::MAX),
            allow_direct: true,
            ..stream::Config::default()
        };
        let presence = stream::Config {
            name: format!("{prefix}_PRESENCE"),
            subjects: vec![format!("{prefix}.presence.*.*.*")],
            max_messages_per_subject: 1,
            max_age: options.presence_ttl,
            storage: StorageType::Memory,
            ..stream::Config::default()
        };
        let rooms = open(&jetstream, rooms).await?;
        let presence = open(&jetstream, presence).await?;
        Ok(Self { jetstream, prefix, rooms, presence })
    }

    pub(super) fn room_subject(&self, room: &RoomName) -> String {
        format!("{}.room.{}", self.prefix, room.to_hex())
    }

    pub(super) fn event_subject(&self, room: &RoomName) -> String {
        format!("{}.events.{}", self.prefix, room.to_hex())
    }

    pub(super) fn presence_subject(&self, room: &RoomName, user: &str, node: &str) -> String {
        format!("{}.presence.{}.{}.{node}", self.prefix, room.to_hex(), hex(user))
    }

    /// The subjects of every room, for the node's live consumer.
    pub(super) fn all_rooms(&self) -> (stream::Stream, String) {
        (self.rooms.clone(), format!("{}.room.*", self.prefix))
    }

    /// Appends a message if `expected` is still the id of the room's last stored message (0
    /// for none); returns its id.
    pub(super) async fn append(
        &self,
        room: &RoomName,
        expected: u64,
        message: &Stored<'_>,
    ) -> Result<u64, PublishError> {
        let payload = serde_json::to_vec(message).unwrap_or_default();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_EXPECTED_LAST_SUBJECT_SEQUENCE,
            expected.to_string().as_str(),
        );
        let ack = self
            .jetstream
            .publish_with_headers(self.room_subject(room), headers, payload.into())
            .await?;
        Ok(ack.await?.sequence)
    }

    /// The id of the room's last stored message, 0 if none is stored.
    pub(super) async fn latest(&self, room: &RoomName) -> Result<u64, BrokerError> {
        match self.rooms.get_last_raw_message_by_subject(&self.room_subject(room)).await {
            Ok(message) => Ok(message.sequence),
            Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(0),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Below every message still stored: a room with no stored message had, if anything,
    /// only messages under this id, which the stream has dropped (age or bytes).
    pub(super) async fn floor(&self) -> Result<u64, BrokerError> {
        let info = self.rooms.get_info().await.map_err(unavailable)?;
        Ok(info.state.first_sequence.saturating_sub(1))
    }

    /// The room's stored messages after `since`, up to `latest`, oldest first.
    pub(super) async fn read(
        &self,
        room: &RoomName,
        since: u64,
        latest: u64,
    ) -> Result<Vec<StoredMessage>, BrokerError> {
        let config = pull::OrderedConfig {
            filter_subject: self.room_subject(room),
            deliver_policy: DeliverPolicy::ByStartSequence { start_sequence: since + 1 },
            ..pull::OrderedConfig::default()
        };
        let consumer = self.rooms.create_consumer(config).await.map_err(unavailable)?;
        let mut messages = consumer.messages().await.map_err(unavailable)?;
        let mut read = Vec::new();
        let reading = async {
            while let Some(message) = messages.try_next().await.map_err(unavailable)? {
                let info =
                    message.info().map_err(|error| BrokerError::Corrupt(error.to_string()))?;
                let (sequence, pending) = (info.stream_sequence, info.pending);
                read.push(super::subscriber::decode(&message.payload, sequence)?);
                if pending == 0 || sequence >= latest {
                    break;
                }
            }
            Ok::<_, BrokerError>(())
        };
        tokio::time::timeout(READ_TIMEOUT, reading)
            .await
            .map_err(|_| BrokerError::Unavailable("reading the history timed out".into()))??;
        Ok(read)
    }

    /// Stores (or refreshes) one presence entry per subject, each kept for the TTL.
    pub(super) async fn touch(&self, subjects: Vec<String>) -> Result<(), BrokerError> {
        let mut acks = Vec::with_capacity(subjects.len());
        for subject in subjects {
            acks.push(
                self.jetstream.publish(subject, Vec::new().into()).await.map_err(unavailable)?,
            );
        }
        for ack in acks {
            ack.await.map_err(unavailable)?;
        }
        Ok(())
    }

    /// Removes a presence entry.
    pub(super) async fn clear(&self, subject: String) -> Result<(), BrokerError> {
        self.presence.purge().filter(subject).await.map(drop).map_err(unavailable)
    }

    /// The users with an unexpired entry in the room, sorted.
    pub(super) async fn present(&self, room: &RoomName) -> Result<Vec<String>, BrokerError> {
        let filter = format!("{}.presence.{}.>", self.prefix, room.to_hex());
        let subjects: Vec<(String, usize)> = self
            .presence
            .info_with_subjects(filter)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        let mut users: Vec<String> = subjects
            .iter()
            .filter_map(|(subject, _)| subject.split('.').nth(3))
            .filter_map(unhex)
            .collect();
        users.sort_unstable();
        users.dedup();
        Ok(users)
    }

    /// Deletes both streams.
    pub(super) async fn delete(&self) -> Result<(), BrokerError> {
        for name in [format!("{}_ROOMS", self.prefix), format!("{}_PRESENCE", self.prefix)] {
            self.jetstream.delete_stream(name).await.map_err(unavailable)?;
        }
        Ok(())
    }
}

async fn open(jetstream: &Context, config: stream::Config) -> Result<stream::Stream, BrokerError> {
    let name = config.name.clone();
    jetstream.create_or_update_stream(config).await.map_err(unavailable)?;
    jetstream.get_stream(name).await.map_err(unavailable)
}

fn unhex(token: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|index| token.get(index..index + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A random id for this node's presence entries.
pub(super) fn random_hex() -> Result<String, BrokerError> {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).map_err(unavailable)?;
    Ok(format!("{:016x}", u64::from_le_bytes(bytes)))
}
