//! Rate limiting behind a trait: a token bucket per key (GCRA, from the `governor` crate).
//!
//! State lives in this process, which is right for one node. With several nodes behind a load
//! balancer each node counts alone, so the effective limit is multiplied by the node count:
//! implement [`RateLimiter`] over a shared store (for example Redis with a Lua GCRA script)
//! and pass it to `AppState` instead.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimit;

/// Decides whether one more request under `key` may proceed.
pub trait RateLimiter: Send + Sync {
    /// Takes a token for `key`, or says how long to wait for the next one.
    ///
    /// # Errors
    /// The delay after which a retry may succeed.
    fn check(&self, key: &str) -> Result<(), Duration>;

    /// Forgets keys whose buckets are full again, so memory stays bounded.
    fn purge(&self);
}

/// An in-memory token bucket per key.
pub struct InMemoryRateLimiter {
    buckets: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl InMemoryRateLimiter {
    /// Buckets that refill at `limit.per_second` and hold `limit.burst` tokens.
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        let period = Duration::from_secs_f64(1.0 / limit.per_second.max(f64::MIN_POSITIVE));
        let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self { buckets: DefaultKeyedRateLimiter::dashmap(quota), clock: DefaultClock::default() }
    }
}

impl RateLimiter for InMemoryRateLimiter {
    fn check(&self, key: &str) -> Result<(), Duration> {
        self.buckets
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    fn purge(&self) {
        self.buckets.retain_recent();
        self.buckets.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = InMemoryRateLimiter::new(RateLimit { per_second: 1.0, burst: 3 });
        for _ in 0..3 {
            assert!(limiter.check("ip:1").is_ok());
        }
        let wait = limiter.check("ip:1").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check("ip:2").is_ok(), "keys are independent");
        limiter.purge();
        assert!(limiter.check("ip:1").is_err(), "purging keeps buckets that are not full");
    }
}
