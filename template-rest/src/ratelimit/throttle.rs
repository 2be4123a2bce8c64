//! Counts failed password checks under a key and makes the key wait after too many, without
//! ever locking it for good.
//!
//! After `failures_before_delay` failures, each further failure makes the key wait before its
//! next attempt: 1 s, 2 s, 4 s… up to `max_delay`. A success can clear the count.
//! [`InMemoryLoginThrottle`] counts per node, like [`super::InMemoryRateLimiter`];
//! [`super::LimitFactory`] makes its twin that counts in Redis for every replica. What the
//! keys are (an address on an account, an address, an account) is [`super::LoginGuard`]'s
//! business.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Tracks failed password checks per key. `now` is this process's clock; a shared store reads
/// its own, so that every replica agrees.
#[async_trait::async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Whether `key` may try now.
    ///
    /// # Errors
    /// How long the key must wait.
    async fn check(&self, key: &str, now: Instant) -> Result<(), Duration>;
    /// Records a failed attempt; returns how many failures `key` now has.
    async fn record_failure(&self, key: &str, now: Instant) -> u32;
    /// Records a success, which clears the key's failures.
    async fn record_success(&self, key: &str);
    /// Forgets keys whose delay has long passed.
    fn purge(&self, now: Instant);
}

/// When a throttle makes a key wait, and how much it remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first delay.
    pub failures_before_delay: u32,
    /// The longest delay.
    pub max_delay: Duration,
    /// Most keys remembered; past it the least telling are evicted.
    pub max_entries: usize,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

/// Keys are stored as 128 bits of their SHA-256, so an entry costs the same whatever the
/// length of the email in it.
type Digest128 = [u8; 16];

/// [`LoginThrottle`] in memory, with at most `max_entries` keys.
#[derive(Debug)]
pub struct InMemoryLoginThrottle {
    policy: ThrottlePolicy,
    entries: Mutex<HashMap<Digest128, Failures>>,
}

impl InMemoryLoginThrottle {
    /// A throttle with the given policy.
    #[must_use]
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self { policy, entries: Mutex::default() }
    }

    fn delay_after(&self, failures: u32) -> Option<Duration> {
        let excess = failures.checked_sub(self.policy.failures_before_delay)?.checked_sub(1)?;
        let seconds = 1_u64.checked_shl(excess.min(32)).unwrap_or(u64::MAX);
        Some(Duration::from_secs(seconds).min(self.policy.max_delay))
    }

    /// How long an entry is kept after its last failure.
    fn horizon(&self) -> Duration {
        self.policy.max_delay * 2
    }

    fn with_entries<T>(&self, body: impl FnOnce(&mut HashMap<Digest128, Failures>) -> T) -> T {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        body(&mut entries)
    }

    /// Makes room for one more key: drops the expired entries, then, if that is not enough,
    /// the tenth with the fewest failures (the oldest first among equals). An attacker who
    /// floods the table evicts the least telling entries, never the ones that hold a delay.
    fn make_room(&self, entries: &mut HashMap<Digest128, Failures>, now: Instant) {
        if entries.len() < self.policy.max_entries {
            return;
        }
        let horizon = self.horizon();
        entries.retain(|_, failures| now.duration_since(failures.last) < horizon);
        if entries.len() < self.policy.max_entries {
            return;
        }
        let mut ranked: Vec<(u32, Instant, Digest128)> =
            entries.iter().map(|(key, failures)| (failures.count, failures.last, *key)).collect();
        let evicted = (entries.len() / 10).max(1);
        ranked.select_nth_unstable(evicted - 1);
        for (_, _, key) in &ranked[..evicted] {
            entries.remove(key);
        }
    }
}

fn digest(key: &str) -> Digest128 {
    let hash = Sha256::digest(key.as_bytes());
    let mut digest = [0_u8; 16];
    digest.copy_from_slice(&hash[..16]);
    digest
}

#[async_trait::async_trait]
impl LoginThrottle for InMemoryLoginThrottle {
    async fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let key = digest(key);
        let blocked_until = self.with_entries(|entries| entries.get(&key)?.blocked_until);
        match blocked_until {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    async fn record_failure(&self, key: &str, now: Instant) -> u32 {
        let key = digest(key);
        self.with_entries(|entries| {
            if !entries.contains_key(&key) {
                self.make_room(entries, now);
            }
            let entry = entries.entry(key);
            let failures = entry.or_insert(Failures { count: 0, blocked_until: None, last: now });
            failures.count = failures.count.saturating_add(1);
            failures.last = now;
            failures.blocked_until = self.delay_after(failures.count).map(|delay| now + delay);
            failures.count
        })
    }

    async fn record_success(&self, key: &str) {
        let key = digest(key);
        self.with_entries(|entries| entries.remove(&key));
    }

    fn purge(&self, now: Instant) {
        let horizon = self.horizon();
        self.with_entries(|entries| {
            entries.retain(|_, failures| now.duration_since(failures.last) < horizon);
            entries.shrink_to_fit();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max_entries: usize) -> InMemoryLoginThrottle {
        InMemoryLoginThrottle::new(ThrottlePolicy {
            failures_before_delay: 3,
            max_delay: Duration::from_secs(10),
            max_entries,
        })
    }

    #[tokio::test]
    async fn delays_start_after_the_threshold_and_double_up_to_the_cap() {
        let throttle = throttle(100);
        let start = Instant::now();
        for expected in 1..=3 {
            assert_eq!(throttle.record_failure("ann", start).await, expected);
            assert!(throttle.check("ann", start).await.is_ok());
        }
        let mut delays = Vec::new();
        for _ in 0..6 {
            throttle.record_failure("ann", start).await;
            delays.push(throttle.check("ann", start).await.unwrap_err().as_secs());
        }
        assert_eq!(delays, [1, 2, 4, 8, 10, 10]);
        assert!(throttle.check("bob", start).await.is_ok(), "other keys are unaffected");
    }

    #[tokio::test]
    async fn the_wait_ends_and_success_resets() {
        let throttle = throttle(100);
        let start = Instant::now();
        for _ in 0..5 {
            throttle.record_failure("ann", start).await;
        }
        let wait = throttle.check("ann", start).await.unwrap_err();
        assert!(throttle.check("ann", start + wait).await.is_ok(), "never locked for good");
        throttle.record_success("ann").await;
        assert_eq!(throttle.record_failure("ann", start).await, 1);
    }

    #[tokio::test]
    async fn old_entries_are_purged() {
        let throttle = throttle(100);
        let start = Instant::now();
        throttle.record_failure("ann", start).await;
        throttle.purge(start + Duration::from_secs(21));
        assert!(throttle.with_entries(|entries| entries.is_empty()));
    }

    #[tokio::test]
    async fn a_flood_of_keys_is_bounded_and_evicts_the_least_telling() {
        let throttle = throttle(1_000);
        let start = Instant::now();
        for _ in 0..10 {
            throttle.record_failure("guessed account", start).await;
        }
        for key in 0..100_000 {
            throttle.record_failure(&format!("flood {key}"), start).await;
        }
        assert!(throttle.with_entries(|entries| entries.len()) <= 1_000);
        assert!(throttle.check("guessed account", start).await.is_err(), "the delay survives");
    }
}
