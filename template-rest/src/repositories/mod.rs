//! Persistence. This is the only layer that knows SQL; everything above it sees the traits below.
//!
//! Each trait has one SQL implementation here, and services are unit-tested against in-process
//! fakes of the same traits.

pub(crate) mod database;
#[cfg(test)]
pub(crate) mod fakes;
pub mod pool;
pub(crate) mod refresh_tokens;
pub(crate) mod storage;
pub(crate) mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::avatar::Avatar;
use crate::domain::page::{Page, UserQuery};
use crate::domain::refresh_token::{NewRefreshToken, RefreshToken};
use crate::domain::user::{NewUser, User, UserChanges};

/// Why a repository call failed, without the SQL details.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RepositoryError {
    /// A unique constraint refused the write (for example a duplicate email).
    #[error("a record with the same unique value already exists")]
    Conflict,
    /// The change would leave no administrator.
    #[error("the last administrator cannot be demoted or deleted")]
    LastAdmin,
    /// The database could not be reached in time; the caller may retry later.
    #[error("the database is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything else: a bug or a corrupt row.
    #[error("database error")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub(crate) type RepositoryResult<T> = Result<T, RepositoryError>;

#[async_trait]
pub(crate) trait UserRepository: Send + Sync {
    /// Inserts a user; [`RepositoryError::Conflict`] when the email is taken.
    async fn create(&self, user: NewUser) -> RepositoryResult<User>;
    /// Finds a user by id.
    async fn find_by_id(&self, id: Uuid) -> RepositoryResult<Option<User>>;
    /// Finds a user by normalised email.
    async fn find_by_email(&self, email: &str) -> RepositoryResult<Option<User>>;
    /// Returns one page of users and the total that match.
    async fn list(&self, query: &UserQuery) -> RepositoryResult<Page<User>>;
    /// Applies changes; `None` when the user does not exist. [`RepositoryError::LastAdmin`]
    /// when it would demote the last administrator, checked atomically: of two administrators
    /// demoting each other at once, one succeeds.
    async fn update(&self, id: Uuid, changes: &UserChanges) -> RepositoryResult<Option<User>>;
    /// Replaces the password hash and revokes every refresh token of the user, atomically.
    /// Returns `false` when the user does not exist.
    async fn change_password(&self, id: Uuid, password_hash: &str) -> RepositoryResult<bool>;
    /// Makes `avatar` the user's and returns the user as they were before, with the avatar it
    /// replaced; `None` when the user does not exist. Replacements of one user's avatar are
    /// serialised, so each replaced avatar is returned exactly once.
    async fn replace_avatar(&self, id: Uuid, avatar: &Avatar) -> RepositoryResult<Option<User>>;
    /// Deletes a user and their refresh tokens, and returns the deleted user; `None` when the
    /// user does not exist. [`RepositoryError::LastAdmin`] for the last administrator.
    async fn delete(&self, id: Uuid) -> RepositoryResult<Option<User>>;
}

#[async_trait]
pub(crate) trait RefreshTokenRepository: Send + Sync {
    /// Stores a new token.
    async fn insert(&self, token: NewRefreshToken) -> RepositoryResult<()>;
    /// Finds a token by the hash of its value.
    async fn find_by_hash(&self, token_hash: &[u8]) -> RepositoryResult<Option<RefreshToken>>;
    /// Revokes `old_id` and stores `replacement`, atomically. Returns `false`, storing nothing,
    /// when `old_id` was already revoked (a concurrent refresh won the race).
    async fn rotate(
        &self,
        old_id: Uuid,
        replacement: NewRefreshToken,
        now: DateTime<Utc>,
    ) -> RepositoryResult<bool>;
    /// Revokes one token of `user_id`, if it is theirs.
    async fn revoke(
        &self,
        user_id: Uuid,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> RepositoryResult<()>;
    /// Revokes every token of a family.
    async fn revoke_family(&self, family_id: Uuid, now: DateTime<Utc>) -> RepositoryResult<()>;
    /// Deletes the tokens that expired or were revoked before `ended_before`; returns how many.
    async fn purge(&self, ended_before: DateTime<Utc>) -> RepositoryResult<u64>;
}

/// Connections held by the pool, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PoolStats {
    pub(crate) size: u32,
    /// Open connections not in use.
    pub(crate) idle: usize,
}

/// Answers whether the database is reachable, for `/health/ready`, and how busy it is.
#[async_trait]
pub(crate) trait HealthCheck: Send + Sync {
    /// `Ok` when a trivial query succeeds.
    async fn ping(&self) -> RepositoryResult<()>;
    /// The pool's connections right now.
    fn pool_stats(&self) -> PoolStats;
}
