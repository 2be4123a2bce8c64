//! Who makes a request: a user's id and role, as an access token states them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A regular user: sees and edits only themself.
    User,
    /// An administrator: sees and manages every user.
    Admin,
}

impl Role {
    /// The name stored in the database and written in tokens.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored role name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Who is making a request, as proven by their access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub id: Uuid,
    /// The role written in the token.
    pub role: Role,
}

impl Actor {
    /// Whether the actor is an administrator.
    #[must_use]
    pub fn is_admin(self) -> bool {
        self.role == Role::Admin
    }
}
