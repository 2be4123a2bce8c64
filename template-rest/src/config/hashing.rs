//! Password hashing capacity: how many hashes run at once, and how many may wait.

use super::raw::positive;
use super::{ConfigError, RawConfig};

/// Argon2id work is bounded twice: by threads, and by a queue in front of them. A full queue
/// answers 503 with `Retry-After` at once, rather than letting a flood of logins pile up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingConfig {
    /// Most hashes computed at once, one thread each (`PASSWORD_HASH_CONCURRENCY`, default: the
    /// CPU count).
    pub concurrency: usize,
    /// Most hashes waiting for a thread (`PASSWORD_HASH_QUEUE`, default 64). A job whose
    /// request was cancelled or timed out keeps its place until a thread skips it unrun.
    pub queue: usize,
}

impl HashingConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let concurrency = raw.password_hash_concurrency.unwrap_or_else(default_concurrency);
        Ok(Self {
            concurrency: positive("PASSWORD_HASH_CONCURRENCY", concurrency)?,
            queue: positive("PASSWORD_HASH_QUEUE", raw.password_hash_queue.unwrap_or(64))?,
        })
    }
}

fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}
