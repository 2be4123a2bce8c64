//! Where the client's address comes from: the peer, or `X-Forwarded-For` as written by
//! proxies we trust (`TRUSTED_PROXIES`, or the older `TRUSTED_PROXY_HOPS`), read into the
//! `ratelimit` module's [`ClientIpPolicy`].

use std::net::IpAddr;

use ipnet::IpNet;

use super::{ConfigError, RawConfig};
use crate::ratelimit::ClientIpPolicy;

/// Reads `TRUSTED_PROXIES` (comma-separated CIDRs or addresses) and `TRUSTED_PROXY_HOPS`; at
/// most one of them.
pub(super) fn from_raw(raw: &RawConfig) -> Result<ClientIpPolicy, ConfigError> {
    let trusted_proxies = networks(raw.trusted_proxies.as_deref().unwrap_or_default())?;
    let trusted_proxy_hops = raw.trusted_proxy_hops.unwrap_or(0);
    if !trusted_proxies.is_empty() && trusted_proxy_hops > 0 {
        return Err(ConfigError::new(
            "TRUSTED_PROXY_HOPS",
            "set TRUSTED_PROXIES or TRUSTED_PROXY_HOPS, not both",
        ));
    }
    Ok(ClientIpPolicy { trusted_proxies, trusted_proxy_hops })
}

/// Parses `10.0.0.0/8, 2001:db8::/32, 192.0.2.7`: CIDRs, or single addresses.
fn networks(list: &str) -> Result<Vec<IpNet>, ConfigError> {
    let entries = list.split(',').map(str::trim).filter(|entry| !entry.is_empty());
    entries.map(network).collect()
}

fn network(text: &str) -> Result<IpNet, ConfigError> {
    let parsed =
        text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from));
    parsed.map(|network| network.trunc()).ok_or_else(|| {
        ConfigError::new(
            "TRUSTED_PROXIES",
            format!("`{text}` is not an address or a CIDR like 10.0.0.0/8"),
        )
    })
}
