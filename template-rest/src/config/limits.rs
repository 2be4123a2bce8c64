//! The `ratelimit` module's [`LimitSettings`]: the bucket per client address on every route,
//! then the login throttle, the store and the trusted proxies, each read in its own file.

use super::raw::rate;
use super::{ConfigError, RawConfig, client_ip, limit_store, login};
use crate::ratelimit::LimitSettings;

/// Reads `RATE_LIMIT_PER_SECOND` (50) and `RATE_LIMIT_BURST` (100), then `LOGIN_*`,
/// `RATE_LIMIT_STORE` with its Redis settings, and `TRUSTED_PROXIES` or `TRUSTED_PROXY_HOPS`.
pub(super) fn from_raw(raw: &RawConfig) -> Result<LimitSettings, ConfigError> {
    Ok(LimitSettings {
        per_client: rate(
            ("RATE_LIMIT_PER_SECOND", raw.rate_limit_per_second.unwrap_or(50)),
            ("RATE_LIMIT_BURST", raw.rate_limit_burst.unwrap_or(100)),
            1.0,
        )?,
        login: login::login_limits(raw)?,
        store: limit_store::from_raw(raw)?,
        client_ip: client_ip::from_raw(raw)?,
    })
}
