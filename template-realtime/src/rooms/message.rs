//! Room messages: what a client publishes ([`Draft`]) and what the broker stores and delivers
//! ([`StoredMessage`]), with its id and the id of the room's previous message.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::RoomName;

/// A message on its way to the broker, which gives it an id.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The room.
    pub room: RoomName,
    /// The sender's user id.
    pub from: String,
    /// Any JSON, kept as sent.
    pub body: Box<RawValue>,
    /// When the server received it, RFC 3339 in UTC with milliseconds.
    pub ts: String,
}

impl Draft {
    /// A draft stamped with the current time.
    #[must_use]
    pub fn now(room: RoomName, from: String, body: Box<RawValue>) -> Self {
        Self { room, from, body, ts: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true) }
    }

    /// The stored form, once the broker has chosen `id` and knows `prev`.
    #[must_use]
    pub fn stored(self, id: u64, prev: u64) -> StoredMessage {
        StoredMessage { id, prev, room: self.room, from: self.from, body: self.body, ts: self.ts }
    }
}

/// A message as stored in a room's history and sent between nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Strictly increasing within the room, across nodes.
    #[serde(default)]
    pub id: u64,
    /// The id of the room's previous message (0 for the first). A node that sees `prev` above
    /// the last id it delivered knows it missed something, and fetches it from the history.
    pub prev: u64,
    /// The room.
    pub room: RoomName,
    /// The sender's user id.
    pub from: String,
    /// Any JSON, kept as sent.
    pub body: Box<RawValue>,
    /// When the server received it, RFC 3339 in UTC.
    pub ts: String,
}

impl StoredMessage {
    /// The time in `ts`, when it parses.
    #[must_use]
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.ts).ok().map(|time| time.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_stamped_and_stored_with_their_ids() {
        let room = RoomName::parse("lobby").unwrap();
        let body = RawValue::from_string("{\"text\":\"hi\"}".into()).unwrap();
        let draft = Draft::now(room.clone(), "ann".into(), body);
        let stored = draft.stored(7, 6);
        assert_eq!((stored.id, stored.prev, &stored.room), (7, 6, &room));
        let age = Utc::now() - stored.timestamp().unwrap();
        assert!(age.num_seconds() < 60, "{age}");
        let json = serde_json::to_string(&stored).unwrap();
        let back: StoredMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back.body.get(), "{\"text\":\"hi\"}");
        assert_eq!(back.id, 7);
    }

    #[test]
    fn a_bad_timestamp_is_none() {
        let json = r#"{"prev":0,"room":"r","from":"u","body":1,"ts":"yesterday"}"#;
        let stored: StoredMessage = serde_json::from_str(json).unwrap();
        assert_eq!(stored.id, 0);
        assert!(stored.timestamp().is_none());
    }
}
