//! Users, their roles, and the limits on their fields.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::avatar::Avatar;
pub(crate) use crate::auth::{Actor, Role};

/// Fewest characters in a password (OWASP ASVS 2.1.1).
pub(crate) const PASSWORD_MIN_CHARS: u64 = 12;
/// Most characters in a password: bounds the hashing work an attacker can ask for.
pub(crate) const PASSWORD_MAX_CHARS: u64 = 128;
/// Most characters in a display name.
pub(crate) const NAME_MAX_CHARS: u64 = 100;
/// Most characters in an email address (RFC 5321 path limit).
pub(crate) const EMAIL_MAX_CHARS: u64 = 254;

/// A stored user, password hash included. Never serialise this to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable identifier (UUID v7, so ids sort by creation time).
    pub(crate) id: Uuid,
    /// Login email, stored lower-case so uniqueness ignores case.
    pub(crate) email: String,
    pub(crate) name: String,
    /// What the user may do.
    pub(crate) role: Role,
    /// Argon2id PHC string.
    pub(crate) password_hash: String,
    /// Profile picture, if uploaded.
    pub(crate) avatar: Option<Avatar>,
    /// When the user registered.
    pub(crate) created_at: DateTime<Utc>,
    /// When the user last changed.
    pub(crate) updated_at: DateTime<Utc>,
}

/// A user about to be inserted.
#[derive(Debug, Clone)]
pub(crate) struct NewUser {
    /// Normalised (lower-case) email.
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: Role,
    /// Argon2id PHC string.
    pub(crate) password_hash: String,
}

impl NewUser {
    /// The user as it is stored: a new UUID v7, no avatar, created and last changed now.
    #[must_use]
    pub(crate) fn stored_now(self) -> User {
        let now = Utc::now();
        User {
            id: Uuid::now_v7(),
            email: self.email,
            name: self.name,
            role: self.role,
            password_hash: self.password_hash,
            avatar: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Fields a user or an administrator may change. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserChanges {
    pub(crate) name: Option<String>,
    /// New normalised email.
    pub(crate) email: Option<String>,
    /// New role (administrators only).
    pub(crate) role: Option<Role>,
}

/// Trims an email and lower-cases it, so `Ann@Example.com` and `ann@example.com` are one user.
#[must_use]
pub(crate) fn normalize_email(email: &str) -> String {
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
