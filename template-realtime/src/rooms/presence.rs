//! Presence events: a user's arrival in, or departure from, a room on some node.

use serde::{Deserialize, Serialize};

use super::RoomName;

/// Whether the user arrived or left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceKind {
    /// The user's first connection on a node joined the room.
    Joined,
    /// The user's last connection on a node left the room, or was dropped.
    Left,
}

/// A presence change, sent to every node and from there to every member of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEvent {
    /// The room.
    pub room: RoomName,
    /// Joined or left.
    pub event: PresenceKind,
    /// The user's id (the token's `sub`).
    pub user: String,
}
