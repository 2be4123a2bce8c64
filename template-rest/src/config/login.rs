//! Limits on the routes that check a password or create an account: login, password change
//! and registration.

use std::time::Duration;

use super::http::{RateLimit, rate, secs};
use super::raw::positive;
use super::{ConfigError, RawConfig};

/// Login throttling, after OWASP's Authentication and Credential Stuffing cheat sheets:
/// failures slow down the address that makes them, never the account's owner elsewhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoginLimits {
    /// Attempts per client address, whatever the account (`LOGIN_RATE_LIMIT_PER_MINUTE` 10,
    /// `LOGIN_RATE_LIMIT_BURST` 5).
    pub rate: RateLimit,
    /// Failures of one address on one account before each further failure makes that address
    /// wait 1 s, 2 s, 4 s… (`LOGIN_FAILURES_BEFORE_DELAY`, default 5).
    pub failures_before_delay: u32,
    /// Failures of one address over all accounts before it waits likewise: credential
    /// stuffing (`LOGIN_IP_FAILURES_BEFORE_DELAY`, default 20).
    pub ip_failures_before_delay: u32,
    /// Distinct addresses failing on one account before the account itself waits likewise: a
    /// guessing attack spread over many addresses (`LOGIN_ACCOUNT_FAILING_ADDRESSES`, default
    /// 100). One address counts once, however often it fails.
    pub account_failing_addresses: u32,
    /// The longest such wait (`LOGIN_MAX_DELAY_SECS`, default 900): nothing is locked for good.
    pub max_delay: Duration,
    /// Most entries each throttle keeps; past it the stalest are evicted
    /// (`LOGIN_THROTTLE_MAX_ENTRIES`, default 100000).
    pub max_entries: usize,
}

/// Registration's own, stricter limit per client address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegistrationLimits {
    /// `REGISTER_RATE_LIMIT_PER_HOUR` 10, `REGISTER_RATE_LIMIT_BURST` 3.
    pub rate: RateLimit,
}

impl LoginLimits {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            rate: rate(
                ("LOGIN_RATE_LIMIT_PER_MINUTE", raw.login_rate_limit_per_minute.unwrap_or(10)),
                ("LOGIN_RATE_LIMIT_BURST", raw.login_rate_limit_burst.unwrap_or(5)),
                60.0,
            )?,
            failures_before_delay: raw.login_failures_before_delay.unwrap_or(5),
            ip_failures_before_delay: raw.login_ip_failures_before_delay.unwrap_or(20),
            account_failing_addresses: positive(
                "LOGIN_ACCOUNT_FAILING_ADDRESSES",
                raw.login_account_failing_addresses.unwrap_or(100),
            )?,
            max_delay: secs("LOGIN_MAX_DELAY_SECS", raw.login_max_delay_secs, 900)?,
            max_entries: positive(
                "LOGIN_THROTTLE_MAX_ENTRIES",
                raw.login_throttle_max_entries.unwrap_or(100_000),
            )?,
        })
    }
}

impl RegistrationLimits {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            rate: rate(
                ("REGISTER_RATE_LIMIT_PER_HOUR", raw.register_rate_limit_per_hour.unwrap_or(10)),
                ("REGISTER_RATE_LIMIT_BURST", raw.register_rate_limit_burst.unwrap_or(3)),
                3_600.0,
            )?,
        })
    }
}
