//! The settings the limits take. Nothing here reads the environment: the application's
//! configuration fills these structs.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

/// Every limit of the module, as an application configures them: the bucket per client address
/// on every route, the login throttle, where their state lives, and whose `X-Forwarded-For` to
/// believe.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitSettings {
    /// Per client address, on every route (the template: 50 a second, burst 100).
    pub per_client: RateLimit,
    /// Login and password-change throttling.
    pub login: LoginLimits,
    /// Where the limits and the login throttle count.
    pub store: LimitStore,
    /// Which `X-Forwarded-For` entries to believe.
    pub client_ip: ClientIpPolicy,
}

/// A token bucket: `per_second` tokens refill continuously, up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once after a quiet period.
    pub burst: u32,
}

/// Login throttling, after OWASP's Authentication and Credential Stuffing cheat sheets:
/// failures slow down the address that makes them, never the account's owner elsewhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoginLimits {
    /// Attempts per client address, whatever the account (the template: 10 a minute, burst 5).
    pub rate: RateLimit,
    /// Failures of one address on one account before each further failure makes that address
    /// wait 1 s, 2 s, 4 s… (the template: 5).
    pub failures_before_delay: u32,
    /// Failures of one address over all accounts before it waits likewise: credential
    /// stuffing (the template: 20).
    pub ip_failures_before_delay: u32,
    /// Distinct addresses failing on one account before the account itself waits likewise: a
    /// guessing attack spread over many addresses (the template: 100). One address counts
    /// once, however often it fails.
    pub account_failing_addresses: u32,
    /// The longest such wait (the template: 900 s): nothing is locked for good.
    pub max_delay: Duration,
    /// Most entries each throttle keeps; past it the stalest are evicted (the template:
    /// 100000).
    pub max_entries: usize,
}

/// Which `X-Forwarded-For` entries to believe. The default believes none: the peer address is
/// the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIpPolicy {
    /// Networks of our own proxies. `X-Forwarded-For` is read only when the peer is one of
    /// them, from the right, skipping every entry that is one of them too.
    pub trusted_proxies: Vec<IpNet>,
    /// A fixed number of proxies in front of the service, for when their addresses are not
    /// known: the client is then the n-th entry from the right, whoever the peer is. Only when
    /// `trusted_proxies` is empty.
    pub trusted_proxy_hops: usize,
}

impl ClientIpPolicy {
    /// Whether `address` is one of our proxies.
    #[must_use]
    pub fn is_trusted(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.trusted_proxies.iter().any(|network| network.contains(&address))
    }
}

/// What a decision does when Redis cannot answer in time.
#[cfg(feature = "redis")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFailure {
    /// Decide with this process's own in-memory limits: the limits still hold, only N times
    /// looser with N replicas, and a Redis outage does not become an outage of the service.
    Open,
    /// Refuse with 429: nothing is admitted that Redis did not count.
    Closed,
}

/// Where limit state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitStore {
    /// In this process: with N replicas a client gets N budgets.
    Memory,
    /// In Redis, shared by every replica (only with the `redis` cargo feature).
    #[cfg(feature = "redis")]
    Redis(RedisSettings),
}

/// How the limits reach Redis.
#[cfg(feature = "redis")]
#[derive(Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// The Redis URL (`redis://host:6379`); redacted in `Debug`, since it may hold a password.
    pub url: String,
    /// Put in front of every key (the template: `rate-limit:`), so that several services can
    /// share one Redis.
    pub prefix: String,
    /// Longest one decision waits for Redis (the template: 50 ms): a slow Redis cannot stall
    /// requests.
    pub timeout: Duration,
    /// What happens when Redis does not answer in time (the template: `Open`).
    pub failure: StoreFailure,
}

#[cfg(feature = "redis")]
impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RedisSettings")
            .field("url", &"<redacted>")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("failure", &self.failure)
            .finish()
    }
}
