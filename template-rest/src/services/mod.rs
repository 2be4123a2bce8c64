//! Business rules. Services take and return domain types, reach storage only through the
//! repository traits, and know nothing of HTTP or SQL.

use crate::error::AppError;
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

/// Maps a duplicate email to a 409 that says so.
pub(crate) fn email_taken(error: RepositoryError) -> AppError {
    match error {
        RepositoryError::Conflict => AppError::Conflict("this email is already registered"),
        other => other.into(),
    }
}
