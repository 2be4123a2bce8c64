//! Where the rate limits and login throttles keep their state: in this process, or in Redis
//! where every replica shares it. Read into the `ratelimit` module's [`LimitStore`].

use super::raw::StoreKind;
#[cfg(feature = "redis")]
use super::raw::{FailureKind, positive_millis};
use super::{ConfigError, RawConfig};
use crate::ratelimit::LimitStore;
#[cfg(feature = "redis")]
use crate::ratelimit::{RedisSettings, StoreFailure};

/// Reads `RATE_LIMIT_STORE` (`memory`, the default, or `redis`), then with `redis`:
/// `REDIS_URL` (required), `RATE_LIMIT_REDIS_PREFIX` (default `rate-limit:`),
/// `RATE_LIMIT_REDIS_TIMEOUT_MS` (default 50) and `RATE_LIMIT_REDIS_FAILURE` (`open`, the
/// default, or `closed`). A build without the `redis` cargo feature refuses `redis`.
pub(super) fn from_raw(raw: &RawConfig) -> Result<LimitStore, ConfigError> {
    if raw.rate_limit_store.unwrap_or(StoreKind::Memory) == StoreKind::Memory {
        return Ok(LimitStore::Memory);
    }
    redis_store(raw)
}

/// Without the Redis store compiled in, asking for it is a configuration error: counting in
/// memory instead would give each replica a budget of its own without a word.
#[cfg(not(feature = "redis"))]
fn redis_store(_raw: &RawConfig) -> Result<LimitStore, ConfigError> {
    Err(ConfigError::new(
        "RATE_LIMIT_STORE",
        "`redis` needs a build with the `redis` cargo feature (cargo build --features redis)",
    ))
}

/// The Redis settings, `REDIS_URL` first.
#[cfg(feature = "redis")]
fn redis_store(raw: &RawConfig) -> Result<LimitStore, ConfigError> {
    let url = raw
        .redis_url
        .clone()
        .ok_or_else(|| ConfigError::new("REDIS_URL", "required with RATE_LIMIT_STORE=redis"))?;
    redis::Client::open(url.as_str())
        .map_err(|error| ConfigError::new("REDIS_URL", error.to_string()))?;
    let failure = match raw.rate_limit_redis_failure.unwrap_or(FailureKind::Open) {
        FailureKind::Open => StoreFailure::Open,
        FailureKind::Closed => StoreFailure::Closed,
    };
    Ok(LimitStore::Redis(RedisSettings {
        url,
        prefix: raw.rate_limit_redis_prefix.clone().unwrap_or_else(|| "rate-limit:".into()),
        timeout: positive_millis(
            "RATE_LIMIT_REDIS_TIMEOUT_MS",
            raw.rate_limit_redis_timeout_ms.unwrap_or(50),
        )?,
        failure,
    }))
}
