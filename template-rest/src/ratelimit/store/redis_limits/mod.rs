//! The limits in Redis: [`RedisLimits`], one connection shared by every limit, and the
//! limiters and throttles over it (`limiters.rs`, with the Lua scripts of `scripts.rs`).
//!
//! Each decision is one script run in Redis (`EVALSHA`, loading the script when Redis does not
//! have it yet), bounded by a short timeout. When Redis fails or is slow, the decision is made
//! without it, as [`RedisSettings::failure`] says (with this process's own in-memory limits,
//! or a refusal), and counted in `rate_limit_store_fallback_total`; Redis is then left alone
//! for a second, so an outage costs one timeout a second, not one per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, ScriptInvocation};
use sha2::{Digest, Sha256};

use super::{InMemoryLoginThrottle, InMemoryRateLimiter, LoginThrottle, RateLimiter};
#[cfg(test)]
use super::{LimitFactory, LimitStore};
use super::{RateLimit, RedisSettings, StoreFailure, ThrottlePolicy};

mod limiters;
mod scripts;
#[cfg(test)]
mod tests;

use limiters::{RedisLoginThrottle, RedisRateLimiter};

/// How long Redis is left alone after it failed.
const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// What a refusal without Redis asks the client to wait.
const CLOSED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// One connection to Redis, shared by every limit, and what to do without it.
pub struct RedisLimits {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    failure: StoreFailure,
    /// Milliseconds after `started` before which Redis is not asked.
    paused_until: AtomicU64,
    started: Instant,
}

impl RedisLimits {
    pub(super) fn new(config: &RedisSettings) -> redis::RedisResult<Self> {
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

    /// A token bucket per key in Redis under `scope`, deciding with `local` when Redis cannot.
    pub(super) fn rate_limiter(
        self: &Arc<Self>,
        scope: &'static str,
        limit: RateLimit,
        local: InMemoryRateLimiter,
    ) -> Arc<dyn RateLimiter> {
        Arc::new(RedisRateLimiter::new(self.clone(), scope, limit, local))
    }

    /// A failure throttle per key in Redis under `scope`, deciding with `local` when Redis
    /// cannot.
    pub(super) fn login_throttle(
        self: &Arc<Self>,
        scope: &'static str,
        policy: ThrottlePolicy,
        local: InMemoryLoginThrottle,
    ) -> Arc<dyn LoginThrottle> {
        Arc::new(RedisLoginThrottle::new(self.clone(), scope, policy, local))
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
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
