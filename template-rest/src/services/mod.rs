//! Business rules. Services take and return domain types, reach storage only through the
//! repository traits, and know nothing of HTTP or SQL. Storage failures become [`AppError`]s
//! here, through the `From<RepositoryError>` below, so the error model knows nothing of storage.

use std::time::Duration;

use crate::problem::AppError;
use crate::repositories::RepositoryError;

pub mod argon2_memory;
pub mod auth;
pub mod avatars;
pub mod login_guard;
pub mod login_throttle;
pub mod mail;
pub mod passwords;
pub mod purge;
pub mod rate_limit;
pub mod shared_limits;
pub mod tokens;
pub mod users;
pub mod workers;

#[cfg(test)]
mod tests;

/// How long clients should wait when the database is unavailable.
pub const DATABASE_RETRY_AFTER: Duration = Duration::from_secs(2);

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

/// Maps a duplicate email to a 409 that says so.
pub(crate) fn email_taken(error: RepositoryError) -> AppError {
    match error {
        RepositoryError::Conflict => AppError::Conflict("this email is already registered"),
        other => other.into(),
    }
}
