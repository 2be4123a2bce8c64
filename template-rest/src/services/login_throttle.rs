//! Slows down password guessing on one account without locking its owner out for good.
//!
//! After `failures_before_delay` consecutive failures, each further failure makes the account
//! wait before its next attempt: 1 s, 2 s, 4 s… up to `max_delay`. A successful login resets
//! the count. The state is per node, like [`super::rate_limit`]; the trait lets a shared store
//! replace it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::rate_limit::RateLimiter;
use crate::config::LoginLimits;
use crate::error::{AppError, AppResult};

/// Everything that stands between a client and a password check: a rate per client IP, a
/// rate per account, and the growing delay after repeated failures on an account.
#[derive(Clone)]
pub struct LoginGuard {
    /// Attempts per client IP.
    pub per_ip: Arc<dyn RateLimiter>,
    /// Attempts per account, whatever the IP (defeats distributed guessing).
    pub per_account: Arc<dyn RateLimiter>,
    /// Delays after repeated failures.
    pub throttle: Arc<dyn LoginThrottle>,
}

impl LoginGuard {
    /// Lets the attempt through, or answers 429 with the longest wait that applies.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`].
    pub fn admit(&self, client: IpAddr, account: &str) -> AppResult<()> {
        let waits = [
            self.per_ip.check(&format!("login-ip:{client}")).err(),
            self.per_account.check(&format!("login-account:{account}")).err(),
            self.throttle.check(account, Instant::now()).err(),
        ];
        let Some(retry_after) = waits.into_iter().flatten().max() else { return Ok(()) };
        metrics::counter!("rate_limited_total", "scope" => "login").increment(1);
        Err(AppError::TooManyRequests { retry_after })
    }

    /// Records a failed password check.
    pub fn failed(&self, account: &str) {
        metrics::counter!("login_failures_total").increment(1);
        self.throttle.record_failure(account, Instant::now());
    }

    /// Records a successful login.
    pub fn succeeded(&self, account: &str) {
        self.throttle.record_success(account);
    }

    /// Drops state that no longer limits anyone.
    pub fn purge(&self) {
        self.per_ip.purge();
        self.per_account.purge();
        self.throttle.purge(Instant::now());
    }
}

/// Tracks failed logins per account.
pub trait LoginThrottle: Send + Sync {
    /// Whether `account` may try now.
    ///
    /// # Errors
    /// How long the account must wait.
    fn check(&self, account: &str, now: Instant) -> Result<(), Duration>;
    /// Records a failed attempt.
    fn record_failure(&self, account: &str, now: Instant);
    /// Records a successful login, which clears the account's failures.
    fn record_success(&self, account: &str);
    /// Forgets accounts whose delay has long passed.
    fn purge(&self, now: Instant);
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

/// [`LoginThrottle`] in memory.
#[derive(Debug)]
pub struct InMemoryLoginThrottle {
    limits: LoginLimits,
    accounts: Mutex<HashMap<String, Failures>>,
}

impl InMemoryLoginThrottle {
    /// A throttle with the given policy.
    #[must_use]
    pub fn new(limits: LoginLimits) -> Self {
        Self { limits, accounts: Mutex::default() }
    }

    fn delay_after(&self, failures: u32) -> Option<Duration> {
        let excess = failures.checked_sub(self.limits.failures_before_delay)?.checked_sub(1)?;
        let seconds = 1_u64.checked_shl(excess.min(32)).unwrap_or(u64::MAX);
        Some(Duration::from_secs(seconds).min(self.limits.max_delay))
    }

    fn with_accounts<T>(&self, body: impl FnOnce(&mut HashMap<String, Failures>) -> T) -> T {
        let mut accounts = self.accounts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        body(&mut accounts)
    }
}

impl LoginThrottle for InMemoryLoginThrottle {
    fn check(&self, account: &str, now: Instant) -> Result<(), Duration> {
        let blocked_until = self.with_accounts(|accounts| accounts.get(account)?.blocked_until);
        match blocked_until {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    fn record_failure(&self, account: &str, now: Instant) {
        self.with_accounts(|accounts| {
            let entry = accounts.entry(account.to_owned());
            let failures = entry.or_insert(Failures { count: 0, blocked_until: None, last: now });
            failures.count = failures.count.saturating_add(1);
            failures.last = now;
            failures.blocked_until = self.delay_after(failures.count).map(|delay| now + delay);
        });
    }

    fn record_success(&self, account: &str) {
        self.with_accounts(|accounts| accounts.remove(account));
    }

    fn purge(&self, now: Instant) {
        let horizon = self.limits.max_delay * 2;
        self.with_accounts(|accounts| {
            accounts.retain(|_, failures| now.duration_since(failures.last) < horizon);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RateLimit;

    fn throttle() -> InMemoryLoginThrottle {
        InMemoryLoginThrottle::new(LoginLimits {
            rate: RateLimit { per_second: 1.0, burst: 1 },
            failures_before_delay: 3,
            max_delay: Duration::from_secs(10),
        })
    }

    #[test]
    fn delays_start_after_the_threshold_and_double_up_to_the_cap() {
        let throttle = throttle();
        let start = Instant::now();
        for _ in 0..3 {
            throttle.record_failure("ann", start);
            assert!(throttle.check("ann", start).is_ok());
        }
        let delays: Vec<_> = (0..6)
            .map(|_| {
                throttle.record_failure("ann", start);
                throttle.check("ann", start).unwrap_err().as_secs()
            })
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 10, 10]);
        assert!(throttle.check("bob", start).is_ok(), "other accounts are unaffected");
    }

    #[test]
    fn the_wait_ends_and_success_resets() {
        let throttle = throttle();
        let start = Instant::now();
        for _ in 0..5 {
            throttle.record_failure("ann", start);
        }
        let wait = throttle.check("ann", start).unwrap_err();
        assert!(throttle.check("ann", start + wait).is_ok(), "never locked for good");
        throttle.record_success("ann");
        throttle.record_failure("ann", start);
        assert!(throttle.check("ann", start).is_ok());
    }

    #[test]
    fn old_entries_are_purged() {
        let throttle = throttle();
        let start = Instant::now();
        throttle.record_failure("ann", start);
        throttle.purge(start + Duration::from_secs(21));
        assert!(throttle.with_accounts(|accounts| accounts.is_empty()));
    }
}
