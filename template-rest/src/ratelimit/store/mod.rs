//! Limits shared by every replica (`LimitStore::Redis`): the same [`RateLimiter`] and
//! [`LoginThrottle`] traits, with their state in Redis, so that a client alternating between
//! replicas gets one budget, not one per replica.
//!
//! Each decision is one script run in Redis (`EVALSHA`, loading the script when Redis does not
//! have it yet), bounded by a short timeout. When Redis fails or is slow, the decision is made
//! without it, as `RedisSettings::failure` says (with this process's own in-memory limits,
//! or a refusal), and counted in `rate_limit_store_fallback_total`; Redis is then left alone
//! for a second, so an outage costs one timeout a second, not one per request.
//!
//! Redis is there only with the `redis` cargo feature; without it the limits live in memory
//! and the redis crate is not compiled at all.

use std::sync::Arc;
#[cfg(feature = "redis")]
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "redis")]
use std::time::{Duration, Instant};

#[cfg(feature = "redis")]
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
#[cfg(feature = "redis")]
use redis::{FromRedisValue, ScriptInvocation};
#[cfg(feature = "redis")]
use sha2::{Digest, Sha256};

use super::limiter::{InMemoryRateLimiter, RateLimiter};
use super::settings::{LimitStore, RateLimit};
#[cfg(feature = "redis")]
use super::settings::{RedisSettings, StoreFailure};
use super::throttle::{InMemoryLoginThrottle, LoginThrottle, ThrottlePolicy};

#[cfg(feature = "redis")]
mod limiters;
#[cfg(feature = "redis")]
mod scripts;
#[cfg(feature = "redis")]
#[cfg(test)]
mod tests;

#[cfg(feature = "redis")]
use limiters::{RedisLoginThrottle, RedisRateLimiter};

/// How long Redis is left alone after it failed.
#[cfg(feature = "redis")]
const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// What a refusal without Redis asks the client to wait.
#[cfg(feature = "redis")]
const CLOSED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Why the limits cannot use their store. Without the `redis` cargo feature there is only
/// memory, which cannot fail, and this enum has no variant.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The Redis URL cannot be used.
    #[cfg(feature = "redis")]
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

/// Makes the limiters and throttles of the service, in memory or in Redis.
#[derive(Clone)]
pub enum LimitFactory {
    /// Each in this process.
    Memory,
    /// Each in Redis, through one shared connection (only with the `redis` cargo feature).
    #[cfg(feature = "redis")]
    Redis(Arc<RedisLimits>),
}

impl LimitFactory {
    /// The factory for `store`. Redis is reached lazily, on the first decision, so that the
    /// service starts while Redis is down. Must run inside a Tokio runtime.
    ///
    /// # Errors
    /// When the Redis URL cannot be used. (Without the `redis` feature [`StoreError`] has no
    /// value, so the result is always `Ok`, and clippy asks for `must_use` on the function.)
    #[cfg_attr(not(feature = "redis"), must_use)]
    pub fn new(store: &LimitStore) -> Result<Self, StoreError> {
        match store {
            LimitStore::Memory => Ok(Self::Memory),
            #[cfg(feature = "redis")]
            LimitStore::Redis(config) => Ok(Self::Redis(Arc::new(RedisLimits::new(config)?))),
        }
    }

    /// A token bucket per key; `scope` keeps its keys apart from other limits' in Redis.
    #[must_use]
    pub fn rate_limiter(
        &self,
        #[cfg_attr(not(feature = "redis"), expect(unused_variables, reason = "Redis keys only"))]
        scope: &'static str,
        limit: RateLimit,
    ) -> Arc<dyn RateLimiter> {
        let local = InMemoryRateLimiter::new(limit);
        match self {
            Self::Memory => Arc::new(local),
            #[cfg(feature = "redis")]
            Self::Redis(store) => {
                Arc::new(RedisRateLimiter::new(store.clone(), scope, limit, local))
            }
        }
    }

    /// A failure throttle per key; `scope` keeps its keys apart in Redis.
    #[must_use]
    pub fn login_throttle(
        &self,
        #[cfg_attr(not(feature = "redis"), expect(unused_variables, reason = "Redis keys only"))]
        scope: &'static str,
        policy: ThrottlePolicy,
    ) -> Arc<dyn LoginThrottle> {
        let local = InMemoryLoginThrottle::new(policy);
        match self {
            Self::Memory => Arc::new(local),
            #[cfg(feature = "redis")]
            Self::Redis(store) => {
                Arc::new(RedisLoginThrottle::new(store.clone(), scope, policy, local))
            }
        }
    }
}

/// One connection to Redis, shared by every limit, and what to do without it.
#[cfg(feature = "redis")]
pub struct RedisLimits {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    failure: StoreFailure,
    /// Milliseconds after `started` before which Redis is not asked.
    paused_until: AtomicU64,
    started: Instant,
}

#[cfg(feature = "redis")]
impl RedisLimits {
    fn new(config: &RedisSettings) -> redis::RedisResult<Self> {
        let client = redis::Client::open(config.url.as_str())?;
        let settings = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(1);
        Ok(Self {
            connection: ConnectionManager::new_lazy_with_config(client, settings)?,
            prefix: config.prefix.clone(),
            timeout: config.timeout,
            failure: config.failure,
            paused_until: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    /// The Redis key of `key` under `scope`: the prefix, the scope, and 128 bits of the key's
    /// SHA-256, so that a key costs the same whatever its length and no email is stored.
    fn key(&self, scope: &str, key: &str) -> String {
        let mut bits = [0_u8; 16];
        bits.copy_from_slice(&Sha256::digest(key.as_bytes())[..16]);
        format!("{}{scope}:{:032x}", self.prefix, u128::from_be_bytes(bits))
    }

    /// Runs `script`, or answers `None` when Redis fails, is slow, or is paused after a
    /// failure; each `None` is counted as a decision made without Redis.
    async fn run<T: FromRedisValue>(&self, script: ScriptInvocation<'_>) -> Option<T> {
        let answer = if self.paused() {
            None
        } else {
            let mut connection = self.connection.clone();
            let call = script.invoke_async(&mut connection);
            match tokio::time::timeout(self.timeout, call).await {
                Ok(Ok(value)) => Some(value),
                Ok(Err(error)) => self.failed(&error),
                Err(_) => self.failed(&"no answer in time"),
            }
        };
        if answer.is_none() {
            let policy = match self.failure {
                StoreFailure::Open => "open",
                StoreFailure::Closed => "closed",
            };
            metrics::counter!("rate_limit_store_fallback_total", "policy" => policy).increment(1);
        }
        answer
    }

    fn elapsed_millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn paused(&self) -> bool {
        self.elapsed_millis() < self.paused_until.load(Ordering::Relaxed)
    }

    /// Pauses Redis for a while; logs once per pause, not once per request.
    fn failed<T>(&self, error: &dyn std::fmt::Display) -> Option<T> {
        let until = self.elapsed_millis() + millis(PAUSE_AFTER_FAILURE);
        let previous = self.paused_until.swap(until, Ordering::Relaxed);
        if previous <= self.elapsed_millis() {
            tracing::warn!(%error, policy = ?self.failure, "rate-limit store unavailable");
        }
        None
    }
}

/// Whole milliseconds, saturating.
#[cfg(feature = "redis")]
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
