//! Rooms on one node or many: members join and leave rooms, publish messages that every member
//! receives in order, read what they missed, and see who is present.
//!
//! The parts, from the outside in:
//!
//! - [`Rooms`] (`service.rs`) is what a connection calls, whatever its transport: join, leave,
//!   publish, history, presence, past the [`RoomPolicy`] and the [`PublishRate`]
//!   (`policy.rs`). [`RoomsSettings`] (`settings.rs`) holds every bound; [`RoomError`] says
//!   why a request was refused.
//! - [`Hub`] (`hub/`) holds this node's rooms and their members, in shards, and fans each
//!   [`RoomEvent`] (`event.rs`) out into the members' bounded [`Outbox`]es.
//! - [`Broker`] (`broker/`) connects the nodes: ids, history, delivery into each node's hub,
//!   presence. [`MemoryBroker`] is the in-process one, for one node; other brokers implement
//!   the trait outside this folder.
//! - [`RoomName`], [`Draft`], [`StoredMessage`] and [`PresenceEvent`] are the plain types.
//!
//! The folder depends on external crates and on itself only: see `MODULE.md`.

pub mod broker;
mod event;
pub mod hub;
mod message;
mod name;
pub mod policy;
mod presence;
mod service;
mod settings;

pub use broker::{
    Broker, BrokerError, BrokerOptions, Held, History, HistoryConfig, MemoryBroker, catch_up,
    catch_up_all,
};
pub use event::{RoomEvent, RoomEventKind};
pub use hub::{Delivery, Hub, HubLimits, Member, Outbox};
pub use message::{Draft, StoredMessage};
pub use name::{InvalidRoom, MAX_ROOM_NAME, RoomName, hex, hex_bytes};
pub use policy::{OpenRooms, OwnedUserRooms, PublishRate, RoomAction, RoomPolicy, Unlimited};
pub use presence::{PresenceEvent, PresenceKind};
pub use service::{RoomError, Rooms, RoomsParts};
pub use settings::RoomsSettings;

#[cfg(test)]
mod tests;
