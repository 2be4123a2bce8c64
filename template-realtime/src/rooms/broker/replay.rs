//! What a client that reconnects with `since` gets: the retained messages after `since` that
//! are younger than the history's age limit, and whether anything it missed is gone.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::History;
use super::StoredMessage;
#[cfg(test)]
use super::{Draft, RoomName};

/// The messages to replay, oldest first.
#[derive(Debug, Default)]
pub struct Replay {
    /// Messages after `since`, oldest first.
    pub messages: Vec<StoredMessage>,
    /// Some message after `since` is no longer in the history.
    pub truncated: bool,
}

/// Builds the replay after `since` from a room's history, as of `now`.
///
/// Nothing is lost when the first message kept names, as its `prev`, a message the client
/// already has; otherwise the messages in between fell out of the history.
#[must_use]
pub fn replay(since: u64, history: History, max_age: Duration, now: DateTime<Utc>) -> Replay {
    let cutoff =
        chrono::Duration::from_std(max_age).map_or(DateTime::<Utc>::MIN_UTC, |age| now - age);
    let is_fresh = |message: &StoredMessage| message.timestamp().is_none_or(|time| time >= cutoff);
    let messages: Vec<StoredMessage> = history
        .messages
        .into_iter()
        .filter(|message| message.id > since && is_fresh(message))
        .collect();
    let truncated =
        since < history.latest && messages.first().is_none_or(|first| first.prev > since);
    Replay { messages, truncated }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::*;

    const DAY: Duration = Duration::from_hours(24);

    fn message(id: u64, prev: u64, age_secs: i64) -> StoredMessage {
        let room = RoomName::parse("r").unwrap();
        let mut draft = Draft::now(room, "u".into(), RawValue::from_string("1".into()).unwrap());
        draft.ts = (Utc::now() - chrono::Duration::seconds(age_secs)).to_rfc3339();
        draft.stored(id, prev)
    }

    fn ids(replay: &Replay) -> Vec<u64> {
        replay.messages.iter().map(|message| message.id).collect()
    }

    #[test]
    fn everything_after_since_is_replayed_in_order() {
        let history = History { messages: vec![message(5, 4, 9), message(6, 5, 1)], latest: 6 };
        let replay = replay(4, history, DAY, Utc::now());
        assert_eq!(ids(&replay), [5, 6]);
        assert!(!replay.truncated);
    }

    #[test]
    fn ids_need_not_be_contiguous_when_prev_links_them() {
        let history = History { messages: vec![message(9, 3, 0), message(15, 9, 0)], latest: 15 };
        let replay = replay(3, history, DAY, Utc::now());
        assert_eq!(ids(&replay), [9, 15]);
        assert!(!replay.truncated);
    }

    #[test]
    fn a_missing_link_means_truncated() {
        let history = History { messages: vec![message(8, 7, 0), message(9, 8, 0)], latest: 9 };
        let replay = replay(5, history, DAY, Utc::now());
        assert_eq!(ids(&replay), [8, 9]);
        assert!(replay.truncated);
    }

    #[test]
    fn messages_past_the_age_limit_are_dropped_and_reported() {
        let history =
            History { messages: vec![message(2, 1, 90_000), message(3, 2, 10)], latest: 3 };
        let replay = replay(1, history, DAY, Utc::now());
        assert_eq!(ids(&replay), [3]);
        assert!(replay.truncated);
    }

    #[test]
    fn an_up_to_date_client_gets_nothing_and_no_warning() {
        let replay_now = replay(7, History { messages: Vec::new(), latest: 7 }, DAY, Utc::now());
        assert!(replay_now.messages.is_empty() && !replay_now.truncated);
        let gone = replay(3, History { messages: Vec::new(), latest: 7 }, DAY, Utc::now());
        assert!(gone.truncated, "everything after 3 expired");
    }
}
