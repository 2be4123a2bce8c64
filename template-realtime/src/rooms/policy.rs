//! Who may do what in a room. Every transport asks the [`RoomPolicy`] before it lets a user
//! join a room (WebSocket), listen to it (SSE), see who is there (presence) or publish to it
//! (WebSocket or HTTP). The default, [`OpenRooms`], lets every authenticated user do
//! everything; [`OwnedUserRooms`] shows how to restrict rooms, here `user-<id>` rooms to their
//! owner. Write your own for anything else (a database lookup, a role in the token…).
//!
//! Publications also pass the user's [`PublishRate`]; [`Unlimited`] lets every one through.

use std::sync::Arc;
use std::time::Duration;

use super::RoomName;

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

/// How often a user may publish. [`Rooms::publish`](super::Rooms::publish) takes one
/// publication from the user's allowance before it publishes; the template counts it per user
/// and per node, or in Redis for every node.
#[async_trait::async_trait]
pub trait PublishRate: Send + Sync + 'static {
    /// Takes one publication from the allowance of `user`.
    ///
    /// # Errors
    /// When the user publishes too fast: how long until the next publication is accepted.
    async fn take(&self, user: &Arc<str>) -> Result<(), Duration>;
}

/// No limit on publications.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

#[async_trait::async_trait]
impl PublishRate for Unlimited {
    async fn take(&self, _user: &Arc<str>) -> Result<(), Duration> {
        Ok(())
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

    #[tokio::test]
    async fn unlimited_lets_every_publication_through() {
        let user: Arc<str> = Arc::from("ann");
        for _ in 0..1000 {
            assert_eq!(Unlimited.take(&user).await, Ok(()));
        }
    }
}
