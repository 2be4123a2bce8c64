//! Business rules. Services take and return domain types, reach storage only through the
//! repository traits, and know nothing of HTTP or SQL. Storage and hashing failures become
//! [`AppError`]s here, through the `From` impls below, so neither the error model nor the
//! `auth` and `ratelimit` modules know of each other.

use std::time::Duration;

use crate::auth::{PasswordError, SigningError};
use crate::problem::AppError;
use crate::ratelimit::TooManyRequests;
use crate::repositories::RepositoryError;

mod admin_seed;
pub mod auth;
pub(crate) mod avatars;
pub(crate) mod mail;
pub(crate) mod purge;
pub(crate) mod users;

pub use admin_seed::AdminSeed;
pub use avatars::UploadSettings;

#[cfg(test)]
mod tests;

/// How long clients should wait when the database is unavailable.
pub(crate) const DATABASE_RETRY_AFTER: Duration = Duration::from_secs(2);

impl From<RepositoryError> for AppError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Conflict => Self::Conflict("the resource already exists"),
            RepositoryError::LastAdmin => {
                Self::Conflict("the last administrator can be neither demoted nor deleted")
            }
            RepositoryError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                Self::Unavailable { retry_after: DATABASE_RETRY_AFTER }
            }
            RepositoryError::Other(source) => Self::Internal(source),
        }
    }
}

/// A full hashing queue is a 503 with its `Retry-After`; a failed hash is a 500.
impl From<PasswordError> for AppError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::Busy { retry_after } => Self::Unavailable { retry_after },
            PasswordError::Failed(source) => Self::Internal(source),
        }
    }
}

/// A limit reached is a 429 with its `Retry-After`.
impl From<TooManyRequests> for AppError {
    fn from(TooManyRequests { retry_after }: TooManyRequests) -> Self {
        Self::TooManyRequests { retry_after }
    }
}

/// A token that cannot be signed is a broken key: a 500.
impl From<SigningError> for AppError {
    fn from(error: SigningError) -> Self {
        Self::internal(error)
    }
}

/// Maps a duplicate email to a 409 that says so.
pub(crate) fn email_taken(error: RepositoryError) -> AppError {
    match error {
        RepositoryError::Conflict => AppError::Conflict("this email is already registered"),
        other => other.into(),
    }
}
