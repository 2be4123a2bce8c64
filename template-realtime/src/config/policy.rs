//! Reads `ROOM_POLICY` into the room policy the node uses, one of the rooms module's.

use std::sync::Arc;

use serde::Deserialize;

use crate::rooms::{OpenRooms, OwnedUserRooms, RoomPolicy};
use crate::settings::ConfigError;

/// Which policy the node uses (`ROOM_POLICY`: `open`, the default, or `owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolicyChoice {
    /// [`OpenRooms`].
    Open,
    /// [`OwnedUserRooms`].
    Owner,
}

/// The policy's variable, as read.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawPolicy {
    room_policy: Option<String>,
}

impl PolicyChoice {
    /// Reads `ROOM_POLICY`.
    ///
    /// # Errors
    /// A value other than `open` or `owner`.
    pub(crate) fn from_raw(raw: &RawPolicy) -> Result<Self, ConfigError> {
        match raw.room_policy.as_deref().unwrap_or("open") {
            "open" => Ok(Self::Open),
            "owner" => Ok(Self::Owner),
            other => {
                Err(ConfigError::new("ROOM_POLICY", format!("`{other}` is not one of open, owner")))
            }
        }
    }

    #[must_use]
    pub(crate) fn policy(self) -> Arc<dyn RoomPolicy> {
        match self {
            Self::Open => Arc::new(OpenRooms),
            Self::Owner => Arc::new(OwnedUserRooms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_comes_from_room_policy() {
        let parse =
            |value: &str| PolicyChoice::from_raw(&RawPolicy { room_policy: Some(value.into()) });
        assert_eq!(parse("owner").unwrap(), PolicyChoice::Owner);
        assert_eq!(PolicyChoice::from_raw(&RawPolicy::default()).unwrap(), PolicyChoice::Open);
        assert_eq!(parse("closed").unwrap_err().variable, "ROOM_POLICY");
    }
}
