//! The rooms service: what a connection can do, whatever its transport. WebSocket sessions,
//! SSE streams and the HTTP routes all go through it.
//!
//! Every request first goes past the [`RoomPolicy`] and, for publications, the user's
//! [`PublishRate`], whatever its transport.
//!
//! Joining registers the member in the node's [`Hub`] first and only then reads the history,
//! so a message published in between arrives live or in the replay (or both: the connection
//! drops what it already sent). Presence is announced when a user's first connection on this
//! node joins a room and when the last one leaves.

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

use super::broker::broker_failed;
use super::broker::replay::{Replay, replay};
use super::{Broker, BrokerError, Draft, Hub, Member, MemoryBroker, Outbox, PresenceEvent};
use super::{OpenRooms, PresenceKind, PublishRate, RoomAction, RoomName, RoomPolicy};
use super::{RoomsSettings, StoredMessage, Unlimited};

/// Why a room request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// The room policy does not allow it.
    #[error("the room's policy does not allow this")]
    Forbidden,
    /// The user publishes faster than their [`PublishRate`] allows.
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
    /// The bounds: how much history is replayed, the outboxes' size, the presence TTL.
    pub settings: RoomsSettings,
    /// Who may do what in which room.
    pub policy: Arc<dyn RoomPolicy>,
    /// How often each user may publish.
    pub publish_rate: Arc<dyn PublishRate>,
}

/// Joining, leaving, publishing and presence, over the node's hub and the broker.
pub struct Rooms {
    hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
    settings: RoomsSettings,
    policy: Arc<dyn RoomPolicy>,
    publish_rate: Arc<dyn PublishRate>,
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Rooms").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Rooms {
    /// The service over its parts.
    #[must_use]
    pub fn new(parts: RoomsParts) -> Self {
        let RoomsParts { hub, broker, settings, policy, publish_rate } = parts;
        Self { hub, broker, settings, policy, publish_rate }
    }

    /// One node on the in-process broker, open to everyone, with no publish rate. Needs a
    /// tokio runtime.
    #[must_use]
    pub fn in_memory(settings: RoomsSettings) -> Self {
        let hub = Arc::new(Hub::new(settings.hub));
        let broker = MemoryBroker::start(&settings.broker_options(), &hub);
        let (policy, publish_rate) = (Arc::new(OpenRooms), Arc::new(Unlimited));
        Self::new(RoomsParts { hub, broker, settings, policy, publish_rate })
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

    /// The bounds it was built with.
    #[must_use]
    pub fn settings(&self) -> &RoomsSettings {
        &self.settings
    }

    /// A new connection's place in the rooms: a member id never used before on this node, and
    /// an empty outbox of [`RoomsSettings::outbound_queue`] events. Join rooms with a
    /// [`Member`] made of both, and drain the outbox into the connection.
    #[must_use]
    pub fn connection(&self) -> (u64, Arc<Outbox>) {
        (self.hub.member_id(), Arc::new(Outbox::new(self.settings.outbound_queue)))
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
    /// When the node has its most rooms or the broker fails; the member is then not in the room.
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
    /// [`RoomError::RateLimited`] past the user's [`PublishRate`].
    pub async fn take_publication(&self, user: &Arc<str>) -> Result<(), RoomError> {
        self.publish_rate.take(user).await.map_err(|retry_after| {
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

    /// Refreshes this node's presence entries three times per [`RoomsSettings::presence_ttl`],
    /// so that they expire only when the node is gone, until the task is aborted. Needs a tokio
    /// runtime.
    #[must_use]
    pub fn keep_presence_alive(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let rooms = Arc::clone(self);
        let period = self.settings.presence_ttl / 3;
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            loop {
                interval.tick().await;
                if let Err(error) = rooms.refresh_presence().await {
                    broker_failed("refresh_presence", &error);
                }
            }
        })
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
        Ok(replay(since, history, self.settings.history.max_age, chrono::Utc::now()))
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
