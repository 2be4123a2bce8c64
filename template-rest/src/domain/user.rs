//! Users, their roles, and the limits on their fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::avatar::Avatar;

/// Fewest characters in a password (OWASP ASVS 2.1.1).
pub const PASSWORD_MIN_CHARS: u64 = 12;
/// Most characters in a password: bounds the hashing work an attacker can ask for.
pub const PASSWORD_MAX_CHARS: u64 = 128;
/// Most characters in a display name.
pub const NAME_MAX_CHARS: u64 = 100;
/// Most characters in an email address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: u64 = 254;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A stored user, password hash included. Never serialise this to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable identifier (UUID v7, so ids sort by creation time).
    pub id: Uuid,
    /// Login email, stored lower-case so uniqueness ignores case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Profile picture, if uploaded.
    pub avatar: Option<Avatar>,
    /// When the user registered.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
}

/// A user about to be inserted.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Normalised (lower-case) email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Initial role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Fields a user or an administrator may change. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// New display name.
    pub name: Option<String>,
    /// New normalised email.
    pub email: Option<String>,
    /// New role (administrators only).
    pub role: Option<Role>,
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

/// Trims an email and lower-cases it, so `Ann@Example.com` and `ann@example.com` are one user.
#[must_use]
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in [Role::User, Role::Admin] {
            assert_eq!(Role::from_name(role.as_str()), Some(role));
        }
        assert_eq!(Role::from_name("root"), None);
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(normalize_email("  Ann@Example.COM "), "ann@example.com");
    }
}
