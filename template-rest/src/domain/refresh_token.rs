//! Refresh tokens: opaque, stored only as a hash, rotated on every use.
//!
//! Each login starts a *family*. Every refresh replaces the token with a new one of the same
//! family. Presenting a token that was already replaced means it leaked, so the whole family
//! is revoked (OAuth 2.0 Security BCP, section 4.14).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefreshToken {
    pub(crate) id: Uuid,
    pub(crate) user_id: Uuid,
    /// The login this token descends from.
    pub(crate) family_id: Uuid,
    /// SHA-256 of the token the client holds.
    pub(crate) token_hash: Vec<u8>,
    /// When it stops being accepted.
    pub(crate) expires_at: DateTime<Utc>,
    /// When it was rotated or revoked, if it was.
    pub(crate) revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewRefreshToken {
    pub(crate) id: Uuid,
    pub(crate) user_id: Uuid,
    /// The login this token descends from.
    pub(crate) family_id: Uuid,
    /// SHA-256 of the token the client holds.
    pub(crate) token_hash: Vec<u8>,
    /// When it stops being accepted.
    pub(crate) expires_at: DateTime<Utc>,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
}
