//! The names of the Redis keys and channels, all under `BROKER_PREFIX`.

use crate::rooms::RoomName;

/// The names of keys and channels.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    pub(super) prefix: String,
}

impl Keys {
    pub(super) fn seq(&self, room: &RoomName) -> String {
        format!("{}:seq:{room}", self.prefix)
    }

    pub(super) fn history(&self, room: &RoomName) -> String {
        format!("{}:history:{room}", self.prefix)
    }

    pub(super) fn floor(&self) -> String {
        format!("{}:floor", self.prefix)
    }

    pub(super) fn presence(&self, room: &RoomName) -> String {
        format!("{}:presence:{room}", self.prefix)
    }

    pub(super) fn publications(&self, user: &str) -> String {
        format!("{}:publish:{user}", self.prefix)
    }

    pub(super) fn channel(&self, kind: &str) -> String {
        format!("{}:{kind}", self.prefix)
    }
}
