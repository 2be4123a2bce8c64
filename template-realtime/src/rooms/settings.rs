//! The bounds of the rooms of a node, with their defaults. Nothing here reads the environment:
//! build [`RoomsSettings`] yourself, or from your own configuration.

use std::time::Duration;

use super::{BrokerOptions, HistoryConfig, HubLimits};

/// Every bound of the rooms of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomsSettings {
    /// Rooms with members on the node, and the rooms that get presence events.
    pub hub: HubLimits,
    /// How much of each room's past is kept and replayed.
    pub history: HistoryConfig,
    /// How long a node's presence entries outlive it; the node refreshes them every third of
    /// it ([`Rooms::keep_presence_alive`](super::Rooms::keep_presence_alive)).
    pub presence_ttl: Duration,
    /// Events waiting for one connection before it is cut off as too slow.
    pub outbound_queue: usize,
    /// The namespace of every key, channel, subject and stream of a shared broker.
    pub prefix: String,
}

impl Default for RoomsSettings {
    fn default() -> Self {
        Self {
            hub: HubLimits { presence_event_limit: 100, max_rooms: 10_000 },
            history: HistoryConfig::default(),
            presence_ttl: Duration::from_secs(30),
            outbound_queue: 256,
            prefix: "realtime".to_owned(),
        }
    }
}

impl RoomsSettings {
    /// What a broker needs of these settings.
    #[must_use]
    pub fn broker_options(&self) -> BrokerOptions {
        BrokerOptions {
            prefix: self.prefix.clone(),
            history: self.history,
            presence_ttl: self.presence_ttl,
        }
    }
}
