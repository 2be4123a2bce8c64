//! Users, their roles, and the limits on their fields.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::avatar::Avatar;
pub use crate::auth::{Actor, Role};

/// Fewest characters in a password (OWASP ASVS 2.1.1).
pub const PASSWORD_MIN_CHARS: u64 = 12;
/// Most characters in a password: bounds the hashing work an attacker can ask for.
pub const PASSWORD_MAX_CHARS: u64 = 128;
/// Most characters in a display name.
pub const NAME_MAX_CHARS: u64 = 100;
/// Most characters in an email address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: u64 = 254;

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

/// Trims an email and lower-cases it, so `Ann@Example.com` and `ann@example.com` are one user.
#[must_use]
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(normalize_email("  Ann@Example.COM "), "ann@example.com");
    }
}
