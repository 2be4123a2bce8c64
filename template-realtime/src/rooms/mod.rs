//! The rooms service: what a connection can do, whatever its transport. WebSocket sessions,
//! SSE streams and the HTTP routes all go through it.
//!
//! Every request first goes past the [`RoomPolicy`] and, for publications, the user's publish
//! rate ([`UserLimits`]), whatever its transport.
//!
//! Joining registers the member in the node's [`Hub`] first and only then reads the history,
//! so a message published in between arrives live or in the replay (or both: the connection
//! drops what it already sent). Presence is announced when a user's first connection on this
//! node joins a room and when the last one leaves.

pub mod policy;

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

pub use policy::{RoomAction, RoomPolicy};

use crate::broker::replay::{Replay, replay};
use crate::broker::{Broker, BrokerError, HistoryConfig};
use crate::domain::{Draft, PresenceEvent, PresenceKind, RoomName, StoredMessage};
use crate::hub::{Hub, Member};
use crate::users::UserLimits;

/// Why a room request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// The room policy does not allow it.
    #[error("the room's policy does not allow this")]
    Forbidden,
    /// The user publishes faster than `USER_PUBLISH_RATE_PER_SECOND`.
    #[error("slow down: your publish rate is exceeded")]
    RateLimited {
        /// When the next publication will be accepted.
        retry_after: Duration,
    },
    /// The node, or the history, holds as many rooms as it may.
    #[error("too many rooms are open: try again later")]
    RoomLimit,
    /// The broker failed.
    #[error(transparent)]
    Broker(BrokerError),
}

impl From<BrokerError> for RoomError {
    fn from(error: BrokerError) -> Self {
        match error {
            BrokerError::RoomLimit => Self::RoomLimit,
            other => Self::Broker(other),
        }
    }
}

/// What the rooms service is made of.
pub struct RoomsParts {
    /// This node's fan-out.
    pub hub: Arc<Hub>,
    /// The broker.
    pub broker: Arc<dyn Broker>,
    /// How much history is replayed.
    pub history: HistoryConfig,
    /// Who may do what in which room.
    pub policy: Arc<dyn RoomPolicy>,
    /// The per-user publish rate.
    pub users: UserLimits,
}

/// Joining, leaving, publishing and presence, over the node's hub and the broker.
pub struct Rooms {
    hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
    history: HistoryConfig,
    policy: Arc<dyn RoomPolicy>,
    users: UserLimits,
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Rooms").field("history", &self.history).finish_non_exhaustive()
    }
}

impl Rooms {
    /// The service over its parts.
    #[must_use]
    pub fn new(parts: RoomsParts) -> Self {
        let RoomsParts { hub, broker, history, policy, users } = parts;
        Self { hub, broker, history, policy, users }
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

    /// The per-user limits.
    #[must_use]
    pub fn users(&self) -> &UserLimits {
        &self.users
    }

    /// Checks that `user` may do `action` in `room`.
    ///
    /// # Errors
    /// [`RoomError::Forbidden`] when the policy says no.
    pub async fn authorize(
        &self,
        user: &str,
        room: &RoomName,
        action: RoomAction,
    ) -> Result<(), RoomError> {
        if self.policy.allows(user, room, action).await {
            return Ok(());
        }
        metrics::counter!("realtime_forbidden_total").increment(1);
        Err(RoomError::Forbidden)
    }

    /// Adds `member` to `room` and returns what it missed since `since`. The caller has
    /// checked the policy ([`Rooms::authorize`]) for the way the member takes part.
    ///
    /// # Errors
    /// When the node has `MAX_ROOMS` or the broker fails; the member is then not in the room.
    pub async fn join(
        &self,
        room: &RoomName,
        member: Member,
        since: Option<u64>,
    ) -> Result<Replay, RoomError> {
        let (id, user) = (member.id, member.user.clone());
        let joined = self.hub.join(room, member).map_err(|_| RoomError::RoomLimit)?;
        let result = self.catch_up(room, joined.new_room, since).await;
        let result = match result {
            Ok(replay) if joined.first_of_user => self.arrive(room, &user).await.map(|()| replay),
            other => other,
        };
        if result.is_err() {
            self.hub.leave(room, id);
        }
        Ok(result?)
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

    /// Publishes `body` to `room` as `user`, and returns the message with its id.
    ///
    /// # Errors
    /// When the policy refuses, the user is over its publish rate, a new room would pass the
    /// room limit, or the broker fails.
    pub async fn publish(
        &self,
        user: &Arc<str>,
        room: RoomName,
        body: Box<RawValue>,
    ) -> Result<StoredMessage, RoomError> {
        self.authorize(user, &room, RoomAction::Publish).await?;
        self.take_publication(user).await?;
        let draft = Draft::now(room, user.to_string(), body);
        Ok(self.broker.publish(draft).await?)
    }

    /// Takes one publication from the user's allowance (binary WebSocket frames pay too).
    ///
    /// # Errors
    /// [`RoomError::RateLimited`] past `USER_PUBLISH_RATE_PER_SECOND`.
    pub async fn take_publication(&self, user: &Arc<str>) -> Result<(), RoomError> {
        self.users.take_publication(user).await.map_err(|retry_after| {
            metrics::counter!("realtime_user_rate_limited_total").increment(1);
            RoomError::RateLimited { retry_after }
        })
    }

    /// The users in the room, on every node, if `user` may read the room.
    ///
    /// # Errors
    /// When the policy refuses or the broker fails.
    pub async fn present_users(
        &self,
        user: &str,
        room: &RoomName,
    ) -> Result<Vec<String>, RoomError> {
        self.authorize(user, room, RoomAction::Read).await?;
        Ok(self.broker.present_users(room).await?)
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
