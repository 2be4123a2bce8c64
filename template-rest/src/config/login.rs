//! Limits on the routes that check a password or create an account: login, password change
//! and registration. Login's are the `ratelimit` module's [`LoginLimits`], registration's the
//! auth service's [`RegistrationLimits`].

use super::raw::{positive, rate, secs};
use super::{ConfigError, RawConfig};
use crate::ratelimit::LoginLimits;
use crate::services::auth::RegistrationLimits;

/// Reads `LOGIN_RATE_LIMIT_PER_MINUTE` (10), `LOGIN_RATE_LIMIT_BURST` (5),
/// `LOGIN_FAILURES_BEFORE_DELAY` (5), `LOGIN_IP_FAILURES_BEFORE_DELAY` (20),
/// `LOGIN_ACCOUNT_FAILING_ADDRESSES` (100), `LOGIN_MAX_DELAY_SECS` (900) and
/// `LOGIN_THROTTLE_MAX_ENTRIES` (100000).
pub(super) fn login_limits(raw: &RawConfig) -> Result<LoginLimits, ConfigError> {
    Ok(LoginLimits {
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

/// Reads `REGISTER_RATE_LIMIT_PER_HOUR` (10) and `REGISTER_RATE_LIMIT_BURST` (3).
pub(super) fn registration_limits(raw: &RawConfig) -> Result<RegistrationLimits, ConfigError> {
    Ok(RegistrationLimits {
        rate: rate(
            ("REGISTER_RATE_LIMIT_PER_HOUR", raw.register_rate_limit_per_hour.unwrap_or(10)),
            ("REGISTER_RATE_LIMIT_BURST", raw.register_rate_limit_burst.unwrap_or(3)),
            3_600.0,
        )?,
    })
}
