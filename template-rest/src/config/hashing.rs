//! Password hashing capacity, read from the environment into the `auth` module's
//! [`HashingSettings`]: how many hashes run at once, and how many may wait.

use super::raw::positive;
use super::{ConfigError, RawConfig};
use crate::auth::HashingSettings;

/// Reads `PASSWORD_HASH_CONCURRENCY` (default: the CPU count) and `PASSWORD_HASH_QUEUE`
/// (default 64), each at least 1.
pub(super) fn from_raw(raw: &RawConfig) -> Result<HashingSettings, ConfigError> {
    let defaults = HashingSettings::default();
    Ok(HashingSettings {
        concurrency: positive(
            "PASSWORD_HASH_CONCURRENCY",
            raw.password_hash_concurrency.unwrap_or(defaults.concurrency),
        )?,
        queue: positive("PASSWORD_HASH_QUEUE", raw.password_hash_queue.unwrap_or(defaults.queue))?,
    })
}
