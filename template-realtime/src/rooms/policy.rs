//! Who may do what in a room. Every transport asks the [`RoomPolicy`] before it lets a user
//! join a room (WebSocket), listen to it (SSE), see who is there (presence) or publish to it
//! (WebSocket or HTTP). The default, [`OpenRooms`], lets every authenticated user do
//! everything; [`OwnedUserRooms`] shows how to restrict rooms, here `user-<id>` rooms to their
//! owner. Write your own for anything else (a database lookup, a role in the token…).

use serde::Deserialize;

use crate::domain::RoomName;
use crate::settings::ConfigError;

/// What a user wants to do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomAction {
    /// Become a member over WebSocket: receive its messages and presence, count as present.
    Join,
    /// Listen over SSE, or read who is present.
    Read,
    /// Publish a message, over WebSocket or HTTP.
    Publish,
}

/// Decides who may join, read and publish in a room.
#[async_trait::async_trait]
pub trait RoomPolicy: Send + Sync + 'static {
    /// Whether `user` (a token's `sub`) may do `action` in `room`.
    async fn allows(&self, user: &str, room: &RoomName, action: RoomAction) -> bool;
}

/// Every authenticated user may do everything in every room.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenRooms;

#[async_trait::async_trait]
impl RoomPolicy for OpenRooms {
    async fn allows(&self, _user: &str, _room: &RoomName, _action: RoomAction) -> bool {
        true
    }
}

/// Rooms named `user-<id>` belong to user `<id>`: only they may join, read or publish there.
/// Every other room is open to every authenticated user.
#[derive(Debug, Clone, Copy, Default)]
pub struct OwnedUserRooms;

/// The prefix of the rooms that belong to one user.
pub const USER_ROOM_PREFIX: &str = "user-";

#[async_trait::async_trait]
impl RoomPolicy for OwnedUserRooms {
    async fn allows(&self, user: &str, room: &RoomName, _action: RoomAction) -> bool {
        room.as_str().strip_prefix(USER_ROOM_PREFIX).is_none_or(|owner| owner == user)
    }
}

/// Which policy the node uses (`ROOM_POLICY`: `open`, the default, or `owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChoice {
    /// [`OpenRooms`].
    Open,
    /// [`OwnedUserRooms`].
    Owner,
}

/// The policy's variable, as read.
#[derive(Debug, Default, Deserialize)]
pub struct RawPolicy {
    room_policy: Option<String>,
}

impl PolicyChoice {
    /// Reads `ROOM_POLICY`.
    ///
    /// # Errors
    /// A value other than `open` or `owner`.
    pub fn from_raw(raw: &RawPolicy) -> Result<Self, ConfigError> {
        match raw.room_policy.as_deref().unwrap_or("open") {
            "open" => Ok(Self::Open),
            "owner" => Ok(Self::Owner),
            other => {
                Err(ConfigError::new("ROOM_POLICY", format!("`{other}` is not one of open, owner")))
            }
        }
    }

    /// The chosen policy.
    #[must_use]
    pub fn policy(self) -> std::sync::Arc<dyn RoomPolicy> {
        match self {
            Self::Open => std::sync::Arc::new(OpenRooms),
            Self::Owner => std::sync::Arc::new(OwnedUserRooms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).unwrap()
    }

    #[tokio::test]
    async fn open_rooms_let_everyone_in() {
        for action in [RoomAction::Join, RoomAction::Read, RoomAction::Publish] {
            assert!(OpenRooms.allows("ann", &room("user-bob"), action).await);
        }
    }

    #[tokio::test]
    async fn user_rooms_belong_to_their_owner_only() {
        let policy = OwnedUserRooms;
        for action in [RoomAction::Join, RoomAction::Read, RoomAction::Publish] {
            assert!(policy.allows("ann", &room("user-ann"), action).await);
            assert!(!policy.allows("bob", &room("user-ann"), action).await);
            assert!(!policy.allows("ann", &room("user-ann2"), action).await);
            assert!(policy.allows("bob", &room("lobby"), action).await);
        }
    }

    #[test]
    fn the_choice_comes_from_room_policy() {
        let parse =
            |value: &str| PolicyChoice::from_raw(&RawPolicy { room_policy: Some(value.into()) });
        assert_eq!(parse("owner").unwrap(), PolicyChoice::Owner);
        assert_eq!(PolicyChoice::from_raw(&RawPolicy::default()).unwrap(), PolicyChoice::Open);
        assert_eq!(parse("closed").unwrap_err().variable, "ROOM_POLICY");
    }
}
