//! [`RateLimiter`] and [`LoginThrottle`] over [`RedisLimits`], each with its in-memory twin
//! for the decisions made without Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::Script;

use super::scripts::{GCRA, THROTTLE_CHECK, THROTTLE_FAILURE, THROTTLE_SUCCESS};
use super::{CLOSED_RETRY_AFTER, RedisLimits, millis};
use super::{
    InMemoryLoginThrottle, InMemoryRateLimiter, LoginThrottle, RateLimit, RateLimiter,
    StoreFailure, ThrottlePolicy,
};

/// A token bucket per key in Redis (GCRA).
pub(super) struct RedisRateLimiter {
    store: Arc<RedisLimits>,
    scope: &'static str,
    script: Script,
    /// Microseconds between two tokens.
    interval: u64,
    burst: u32,
    local: InMemoryRateLimiter,
}

impl RedisRateLimiter {
    pub(super) fn new(
        store: Arc<RedisLimits>,
        scope: &'static str,
        limit: RateLimit,
        local: InMemoryRateLimiter,
    ) -> Self {
        let interval = Duration::from_secs_f64(1.0 / limit.per_second.max(f64::MIN_POSITIVE));
        let interval = u64::try_from(interval.as_micros()).unwrap_or(u64::MAX).max(1);
        Self { store, scope, script: Script::new(GCRA), interval, burst: limit.burst, local }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, key: &str) -> Result<(), Duration> {
        let mut invocation = self.script.key(self.store.key(self.scope, key));
        invocation.arg(self.interval).arg(self.burst);
        match self.store.run::<u64>(invocation).await {
            Some(0) => Ok(()),
            Some(wait) => Err(Duration::from_micros(wait)),
            None if self.store.failure == StoreFailure::Open => self.local.check(key).await,
            None => Err(CLOSED_RETRY_AFTER),
        }
    }

    fn purge(&self) {
        self.local.purge();
    }
}

/// Failures per key in Redis: a hash of the count and the end of the current delay.
pub(super) struct RedisLoginThrottle {
    store: Arc<RedisLimits>,
    scope: &'static str,
    policy: ThrottlePolicy,
    scripts: [Script; 3],
    local: InMemoryLoginThrottle,
}

impl RedisLoginThrottle {
    pub(super) fn new(
        store: Arc<RedisLimits>,
        scope: &'static str,
        policy: ThrottlePolicy,
        local: InMemoryLoginThrottle,
    ) -> Self {
        let scripts = [THROTTLE_CHECK, THROTTLE_FAILURE, THROTTLE_SUCCESS].map(Script::new);
        Self { store, scope, policy, scripts, local }
    }

    fn open(&self) -> bool {
        self.store.failure == StoreFailure::Open
    }
}

#[async_trait::async_trait]
impl LoginThrottle for RedisLoginThrottle {
    async fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let invocation = self.scripts[0].key(self.store.key(self.scope, key));
        match self.store.run::<u64>(invocation).await {
            Some(0) => Ok(()),
            Some(wait) => Err(Duration::from_millis(wait)),
            None if self.open() => self.local.check(key, now).await,
            None => Err(CLOSED_RETRY_AFTER),
        }
    }

    async fn record_failure(&self, key: &str, now: Instant) -> u32 {
        let mut invocation = self.scripts[1].key(self.store.key(self.scope, key));
        let kept = millis(self.policy.max_delay.saturating_mul(2)).max(1);
        invocation.arg(self.policy.failures_before_delay).arg(millis(self.policy.max_delay));
        invocation.arg(kept);
        match self.store.run::<u32>(invocation).await {
            Some(count) => count,
            None => self.local.record_failure(key, now).await,
        }
    }

    async fn record_success(&self, key: &str) {
        let invocation = self.scripts[2].key(self.store.key(self.scope, key));
        if self.store.run::<u64>(invocation).await.is_none() {
            self.local.record_success(key).await;
        }
    }

    fn purge(&self, now: Instant) {
        self.local.purge(now);
    }
}
