//! Everything that stands between a client and a password check, on login and on password
//! change alike: failures slow down the address that makes them, never the owner elsewhere.
//!
//! After OWASP's Authentication and Credential Stuffing cheat sheets:
//!
//! - attempts per client address, whatever the outcome (a token bucket);
//! - failures per (account, address): guessing one password from one place;
//! - failures per address, over all accounts: credential stuffing from one place;
//! - failing addresses per account: guessing one password from many places. An address counts
//!   once however often it fails, so this ceiling sits far above what one address can do,
//!   and only a guess spread over many addresses reaches it.
//!
//! A correct password from an address with no failures of its own is accepted whatever other
//! addresses did, up to that last ceiling. Addresses are [`client_network`]s (IPv6 per /64).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::limiter::{RateLimiter, client_network};
use super::rejection::TooManyRequests;
use super::settings::LoginLimits;
use super::store::LimitFactory;
use super::throttle::{LoginThrottle, ThrottlePolicy};

/// The limits on password checks, each behind a trait so that a shared store can replace it.
#[derive(Clone)]
pub struct LoginGuard {
    /// Attempts per client address.
    pub attempts_per_address: Arc<dyn RateLimiter>,
    /// Failures per (account, address).
    pub failures_per_account_and_address: Arc<dyn LoginThrottle>,
    /// Failures per address, over all accounts.
    pub failures_per_address: Arc<dyn LoginThrottle>,
    /// Distinct failing addresses per account.
    pub failing_addresses_per_account: Arc<dyn LoginThrottle>,
}

impl LoginGuard {
    /// The guard with its state where `store` keeps it.
    #[must_use]
    pub fn new(limits: &LoginLimits, store: &LimitFactory) -> Self {
        let throttle = |scope, failures_before_delay| {
            let policy = ThrottlePolicy {
                failures_before_delay,
                max_delay: limits.max_delay,
                max_entries: limits.max_entries,
            };
            store.login_throttle(scope, policy)
        };
        Self {
            attempts_per_address: store.rate_limiter("login-attempts", limits.rate),
            failures_per_account_and_address: throttle("login-pair", limits.failures_before_delay),
            failures_per_address: throttle("login-address", limits.ip_failures_before_delay),
            failing_addresses_per_account: throttle(
                "login-account",
                limits.account_failing_addresses,
            ),
        }
    }

    /// The in-memory guard for one node.
    #[must_use]
    pub fn in_memory(limits: &LoginLimits) -> Self {
        Self::new(limits, &LimitFactory::Memory)
    }

    /// Lets the attempt through, or refuses it with the longest wait that applies.
    ///
    /// # Errors
    /// [`TooManyRequests`], a 429 as a response.
    pub async fn admit(&self, client: IpAddr, account: &str) -> Result<(), TooManyRequests> {
        let keys = Keys::new(client, account);
        let now = Instant::now();
        let waits = [
            self.attempts_per_address.check(&format!("login-ip:{}", keys.address)).await.err(),
            self.failures_per_account_and_address.check(&keys.pair, now).await.err(),
            self.failures_per_address.check(&keys.address, now).await.err(),
            self.failing_addresses_per_account.check(account, now).await.err(),
        ];
        let Some(retry_after) = waits.into_iter().flatten().max() else { return Ok(()) };
        metrics::counter!("rate_limited_total", "scope" => "login").increment(1);
        Err(TooManyRequests { retry_after })
    }

    /// Records a wrong password.
    pub async fn failed(&self, client: IpAddr, account: &str) {
        metrics::counter!("login_failures_total").increment(1);
        let keys = Keys::new(client, account);
        let now = Instant::now();
        if self.failures_per_account_and_address.record_failure(&keys.pair, now).await == 1 {
            self.failing_addresses_per_account.record_failure(account, now).await;
        }
        self.failures_per_address.record_failure(&keys.address, now).await;
    }

    /// Records a right password: the account and this address on it start afresh. The
    /// address's failures on other accounts stay, or a stuffer could clear them with an
    /// account of its own.
    pub async fn succeeded(&self, client: IpAddr, account: &str) {
        let keys = Keys::new(client, account);
        self.failures_per_account_and_address.record_success(&keys.pair).await;
        self.failing_addresses_per_account.record_success(account).await;
    }

    /// Drops state that no longer limits anyone.
    pub fn purge(&self) {
        let now = Instant::now();
        self.attempts_per_address.purge();
        self.failures_per_account_and_address.purge(now);
        self.failures_per_address.purge(now);
        self.failing_addresses_per_account.purge(now);
    }
}

/// The keys one attempt is counted under.
struct Keys {
    address: String,
    pair: String,
}

impl Keys {
    fn new(client: IpAddr, account: &str) -> Self {
        let address = client_network(client).to_string();
        let pair = format!("{address}|{account}");
        Self { address, pair }
    }
}
