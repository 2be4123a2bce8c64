//! The rooms service: what a connection can do, whatever its transport. WebSocket sessions,
//! SSE streams and the HTTP routes all go through it.
//!
//! Joining registers the member in the node's [`Hub`] first and only then reads the history,
//! so a message published in between arrives live or in the replay (or both: the connection
//! drops what it already sent). Presence is announced when a user's first connection on this
//! node joins a room and when the last one leaves.

use std::sync::Arc;

use crate::broker::replay::{Replay, replay};
use crate::broker::{Broker, BrokerError};
use crate::config::HistoryConfig;
use crate::domain::{Draft, PresenceEvent, PresenceKind, RoomName, StoredMessage};
use crate::hub::{Hub, Member};

/// Joining, leaving, publishing and presence, over the node's hub and the broker.
pub struct Rooms {
    hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
    history: HistoryConfig,
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Rooms").field("history", &self.history).finish_non_exhaustive()
    }
}

impl Rooms {
    /// The service over `hub` and `broker`.
    #[must_use]
    pub fn new(hub: Arc<Hub>, broker: Arc<dyn Broker>, history: HistoryConfig) -> Self {
        Self { hub, broker, history }
    }

    /// The node's hub.
    #[must_use]
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// The broker.
    #[must_use]
    pub fn broker(&self) -> &Arc<dyn Broker> {
        &self.broker
    }

    /// Adds `member` to `room` and returns what it missed since `since`.
    ///
    /// # Errors
    /// When the broker fails; the member is then not in the room.
    pub async fn join(
        &self,
        room: &RoomName,
        member: Member,
        since: Option<u64>,
    ) -> Result<Replay, BrokerError> {
        let (id, user) = (member.id, member.user.clone());
        let joined = self.hub.join(room, member);
        let result = self.catch_up(room, joined.new_room, since).await;
        let result = match result {
            Ok(replay) if joined.first_of_user => self.arrive(room, &user).await.map(|()| replay),
            other => other,
        };
        if result.is_err() {
            self.hub.leave(room, id);
        }
        result
    }

    /// Removes the member from `room`; false when it was not there.
    ///
    /// # Errors
    /// When the broker fails to record the departure; the member has left all the same.
    pub async fn leave(&self, room: &RoomName, member_id: u64) -> Result<bool, BrokerError> {
        let Some(left) = self.hub.leave(room, member_id) else { return Ok(false) };
        if left.last_of_user {
            self.broker.clear_present(room, &left.user).await?;
            self.announce(room, PresenceKind::Left, &left.user).await?;
        }
        Ok(true)
    }

    /// Publishes a message and returns it with its id.
    ///
    /// # Errors
    /// When the broker fails.
    pub async fn publish(&self, draft: Draft) -> Result<StoredMessage, BrokerError> {
        self.broker.publish(draft).await
    }

    /// The users in the room, on every node.
    ///
    /// # Errors
    /// When the broker fails.
    pub async fn present_users(&self, room: &RoomName) -> Result<Vec<String>, BrokerError> {
        self.broker.present_users(room).await
    }

    /// Refreshes the presence of every local member, so that it outlives the TTL.
    ///
    /// # Errors
    /// When the broker fails.
    pub async fn refresh_presence(&self) -> Result<(), BrokerError> {
        let entries = self.hub.present_locally();
        if entries.is_empty() {
            return Ok(());
        }
        self.broker.mark_present(&entries).await
    }

    async fn catch_up(
        &self,
        room: &RoomName,
        new_room: bool,
        since: Option<u64>,
    ) -> Result<Replay, BrokerError> {
        if since.is_none() && !new_room {
            return Ok(Replay::default());
        }
        let history = self.broker.history(room, since).await?;
        self.hub.start_at(room, history.latest);
        let Some(since) = since else { return Ok(Replay::default()) };
        Ok(replay(since, history, self.history.max_age, chrono::Utc::now()))
    }

    async fn arrive(&self, room: &RoomName, user: &Arc<str>) -> Result<(), BrokerError> {
        self.broker.mark_present(&[(room.clone(), user.clone())]).await?;
        self.announce(room, PresenceKind::Joined, user).await
    }

    async fn announce(
        &self,
        room: &RoomName,
        event: PresenceKind,
        user: &str,
    ) -> Result<(), BrokerError> {
        let event = PresenceEvent { room: room.clone(), event, user: user.to_owned() };
        self.broker.announce(event).await
    }
}
