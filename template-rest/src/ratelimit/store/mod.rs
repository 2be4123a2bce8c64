//! Where the limits keep their state: in this process ([`LimitStore::Memory`]), or in Redis,
//! shared by every replica (`LimitStore::Redis`), so that a client alternating between
//! replicas gets one budget, not one per replica. [`LimitFactory`] makes the same
//! [`RateLimiter`] and [`LoginThrottle`] for either.
//!
//! Redis is there only with the `redis` cargo feature (`redis_limits/`); without it the limits
//! live in memory and the redis crate is not compiled at all.

use std::sync::Arc;

use super::limiter::{InMemoryRateLimiter, RateLimiter};
use super::settings::{LimitStore, RateLimit};
#[cfg(feature = "redis")]
use super::settings::{RedisSettings, StoreFailure};
use super::throttle::{InMemoryLoginThrottle, LoginThrottle, ThrottlePolicy};

#[cfg(feature = "redis")]
mod redis_limits;

#[cfg(feature = "redis")]
pub use redis_limits::RedisLimits;

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
            Self::Redis(store) => store.rate_limiter(scope, limit, local),
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
            Self::Redis(store) => store.login_throttle(scope, policy, local),
        }
    }
}
