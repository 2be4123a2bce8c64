//! Plain types shared by every layer: room names, messages and presence events.

pub mod message;
pub mod presence;
pub mod room;

pub use message::{Draft, StoredMessage};
pub use presence::{PresenceEvent, PresenceKind};
pub use room::{InvalidRoom, RoomName};
