//! Rate limiting behind a trait: a token bucket per key (GCRA, from the `governor` crate).
//!
//! [`InMemoryRateLimiter`] keeps state in this process, which is right for one node. With
//! several nodes behind a load balancer each node counts alone, so the effective limit is
//! multiplied by the node count: `LimitStore::Redis` (the `redis` cargo feature) puts every
//! limit in Redis instead ([`super::LimitFactory`]).
//!
//! Every limit keys on [`client_network`]: an IPv4 address, or the /64 of an IPv6 address,
//! since one IPv6 host usually holds a whole /64 and could otherwise use a fresh address for
//! every request.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::settings::RateLimit;

/// Decides whether one more request under `key` may proceed.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Takes a token for `key`, or says how long to wait for the next one.
    ///
    /// # Errors
    /// The delay after which a retry may succeed.
    async fn check(&self, key: &str) -> Result<(), Duration>;

    /// Forgets keys whose buckets are full again, so memory stays bounded.
    fn purge(&self);
}

/// The unit every limit counts: an IPv4 address (IPv4-mapped IPv6 included), or the /64
/// network of an IPv6 address.
#[must_use]
pub fn client_network(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// Keys held before the limiter drops the buckets that are full again, without waiting for
/// the periodic purge.
const KEYS_BEFORE_PURGE: usize = 100_000;
/// How many checks pass between two looks at the number of keys.
const CHECKS_BETWEEN_COUNTS: u32 = 1_024;

/// An in-memory token bucket per key.
pub struct InMemoryRateLimiter {
    buckets: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    checks: AtomicU32,
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
        Self {
            buckets: DefaultKeyedRateLimiter::dashmap(quota),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }

    /// Every so many checks, drops the full buckets once there are many keys: a flood from
    /// many addresses then holds only the buckets it keeps busy, not one per address it ever
    /// used.
    fn bound_keys(&self) {
        if !self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(CHECKS_BETWEEN_COUNTS) {
            return;
        }
        if self.buckets.len() >= KEYS_BEFORE_PURGE {
            self.buckets.retain_recent();
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn check(&self, key: &str) -> Result<(), Duration> {
        self.bound_keys();
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

    #[tokio::test]
    async fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = InMemoryRateLimiter::new(RateLimit { per_second: 1.0, burst: 3 });
        for _ in 0..3 {
            assert!(limiter.check("ip:1").await.is_ok());
        }
        let wait = limiter.check("ip:1").await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check("ip:2").await.is_ok(), "keys are independent");
        limiter.purge();
        assert!(limiter.check("ip:1").await.is_err(), "purging keeps buckets that are not full");
    }

    #[test]
    fn ipv6_clients_count_per_64_and_ipv4_per_address() {
        let network = |text: &str| client_network(text.parse().unwrap()).to_string();
        assert_eq!(network("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
        assert_eq!(network("2001:db8:1:2::1"), "2001:db8:1:2::");
        assert_eq!(network("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(network("192.0.2.1"), "192.0.2.1");
    }

    #[tokio::test]
    async fn many_keys_are_dropped_once_their_buckets_are_full() {
        let limiter = InMemoryRateLimiter::new(RateLimit { per_second: 1e9, burst: 1 });
        for key in 0..KEYS_BEFORE_PURGE + 2 * CHECKS_BETWEEN_COUNTS as usize {
            let _ = limiter.check(&key.to_string()).await;
        }
        assert!(limiter.buckets.len() < KEYS_BEFORE_PURGE, "{}", limiter.buckets.len());
    }
}
