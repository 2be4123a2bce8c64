//! The per-user rate limit on placing orders: a token bucket per user, kept as the GCRA's
//! "theoretical arrival time" (one instant per user), in this process's memory.
//!
//! Keys are the `sub` of verified tokens, so only the token issuer can make new ones; still,
//! users whose bucket is full again are forgotten (a full bucket and no entry are the same
//! thing), so memory holds only the users who placed an order within the last burst's worth
//! of time. With several replicas each one counts alone, so the effective limit is multiplied
//! by the replica count: implement [`RateLimiter`] over a shared store (Redis with a GCRA
//! script, say) to count across them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Below this many users, forgotten buckets are not swept.
const MIN_SWEEP: usize = 1024;

/// A token bucket: how fast it refills, and how many tokens it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimit {
    /// Tokens per minute.
    pub(crate) per_minute: u32,
    /// Tokens the bucket holds: how many may be taken at once.
    pub(crate) burst: u32,
}

/// Decides whether a user may place one more order now.
pub(crate) trait RateLimiter: Send + Sync {
    /// Takes a token from `user`'s bucket, or says how long until the next one.
    ///
    /// # Errors
    /// The delay after which a retry may succeed.
    fn check(&self, user: Uuid) -> Result<(), Duration>;
}

/// A token bucket per user, in memory.
#[derive(Debug)]
pub(crate) struct InMemoryRateLimiter {
    /// Time for one token to come back.
    interval: Duration,
    /// Time for the whole burst to come back.
    capacity: Duration,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    /// When each user's bucket is full again.
    full_at: HashMap<Uuid, Instant>,
    /// The size at which the next sweep runs.
    sweep_at: usize,
}

impl InMemoryRateLimiter {
    /// Buckets of `limit.burst` tokens that refill at `limit.per_minute`.
    #[must_use]
    pub(crate) fn new(limit: RateLimit) -> Self {
        let interval = Duration::from_mins(1) / limit.per_minute.max(1);
        let buckets = Buckets { full_at: HashMap::new(), sweep_at: MIN_SWEEP };
        Self { interval, capacity: interval * limit.burst.max(1), buckets: Mutex::new(buckets) }
    }

    /// [`RateLimiter::check`] at the instant `now`.
    fn check_at(&self, user: Uuid, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let full_at = buckets.full_at.get(&user).copied().unwrap_or(now).max(now);
        let ahead = (full_at + self.interval).saturating_duration_since(now);
        if ahead > self.capacity {
            return Err(ahead.saturating_sub(self.capacity));
        }
        buckets.full_at.insert(user, full_at + self.interval);
        buckets.sweep(now);
        Ok(())
    }

    /// How many users are remembered.
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner).full_at.len()
    }
}

impl Buckets {
    /// Forgets users whose bucket is full again, once the map has doubled since the last
    /// sweep: amortised constant time per check.
    fn sweep(&mut self, now: Instant) {
        if self.full_at.len() < self.sweep_at {
            return;
        }
        self.full_at.retain(|_, full_at| *full_at > now);
        self.sweep_at = (self.full_at.len() * 2).max(MIN_SWEEP);
    }
}

impl RateLimiter for InMemoryRateLimiter {
    fn check(&self, user: Uuid) -> Result<(), Duration> {
        self.check_at(user, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> InMemoryRateLimiter {
        InMemoryRateLimiter::new(RateLimit { per_minute, burst })
    }

    #[test]
    fn a_bucket_gives_its_burst_then_one_token_per_interval() {
        let limiter = limiter(30, 3);
        let (user, start) = (Uuid::now_v7(), Instant::now());
        for _ in 0..3 {
            assert_eq!(limiter.check_at(user, start), Ok(()));
        }
        assert_eq!(limiter.check_at(user, start), Err(Duration::from_secs(2)));
        let later = start + Duration::from_millis(1_500);
        assert_eq!(limiter.check_at(user, later), Err(Duration::from_millis(500)));
        assert_eq!(limiter.check_at(user, start + Duration::from_secs(2)), Ok(()));
        assert!(limiter.check_at(Uuid::now_v7(), start).is_ok(), "users are apart");
    }

    #[test]
    fn users_with_a_full_bucket_are_forgotten() {
        let limiter = limiter(60, 2);
        let start = Instant::now();
        for _ in 0..10_000 {
            assert!(limiter.check_at(Uuid::now_v7(), start).is_ok());
        }
        assert!(limiter.remembered() >= 8_192, "nobody is full yet");
        let refilled = start + Duration::from_secs(2);
        for _ in 0..10_000 {
            assert!(limiter.check_at(Uuid::now_v7(), refilled).is_ok());
        }
        assert!(limiter.remembered() <= 10_000, "{} remembered", limiter.remembered());
    }
}
