//! Where the client's address comes from: the peer, or `X-Forwarded-For` as written by
//! proxies we trust (`TRUSTED_PROXIES`, or the older `TRUSTED_PROXY_HOPS`).

use std::net::IpAddr;

use ipnet::IpNet;

use super::{ConfigError, RawConfig};

/// Which `X-Forwarded-For` entries to believe. The default believes none: the peer address is
/// the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIpPolicy {
    /// Networks of our own proxies (`TRUSTED_PROXIES`, comma-separated CIDRs or addresses).
    /// `X-Forwarded-For` is read only when the peer is one of them, from the right, skipping
    /// every entry that is one of them too.
    pub trusted_proxies: Vec<IpNet>,
    /// A fixed number of proxies in front of the service (`TRUSTED_PROXY_HOPS`), for when
    /// their addresses are not known: the client is then the n-th entry from the right,
    /// whoever the peer is. Only when `trusted_proxies` is empty.
    pub trusted_proxy_hops: usize,
}

impl ClientIpPolicy {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let trusted_proxies = networks(raw.trusted_proxies.as_deref().unwrap_or_default())?;
        let trusted_proxy_hops = raw.trusted_proxy_hops.unwrap_or(0);
        if !trusted_proxies.is_empty() && trusted_proxy_hops > 0 {
            return Err(ConfigError::new(
                "TRUSTED_PROXY_HOPS",
                "set TRUSTED_PROXIES or TRUSTED_PROXY_HOPS, not both",
            ));
        }
        Ok(Self { trusted_proxies, trusted_proxy_hops })
    }

    /// Whether `address` is one of our proxies.
    #[must_use]
    pub fn is_trusted(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.trusted_proxies.iter().any(|network| network.contains(&address))
    }
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
