//! The client's address: the peer, or `X-Forwarded-For` as written by proxies we trust.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::settings::ClientIpPolicy;

/// The client's address, for handlers that limit on it (login, registration, password change).
/// Extracts in any state `S` with `FromRef<S> for Arc<ClientIpPolicy>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    Arc<ClientIpPolicy>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let policy = Arc::<ClientIpPolicy>::from_ref(state);
        Ok(Self(client_ip(&parts.headers, peer(&parts.extensions), &policy)))
    }
}

/// The peer address, from axum's `ConnectInfo`; without it (in-process tests, a server
/// started without `into_make_service_with_connect_info`) the client counts as localhost.
pub(super) fn peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ConnectInfo(address)| address.ip())
}

/// The client address.
///
/// With `trusted_proxies`, `X-Forwarded-For` is read only when the peer is a trusted proxy,
/// from the right: each entry that is a trusted proxy too is skipped, and the first one that is
/// not is the client (the entries left of it are whatever the client sent). With
/// `trusted_proxy_hops = n`, the client is the n-th entry from the right. Otherwise, and
/// whenever the chain is short, the peer is the client.
#[must_use]
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, policy: &ClientIpPolicy) -> IpAddr {
    let peer = peer.to_canonical();
    if !policy.trusted_proxies.is_empty() {
        if !policy.is_trusted(peer) {
            return peer;
        }
        return walk_past_proxies(&forwarded_for(headers), peer, policy);
    }
    let hops = policy.trusted_proxy_hops;
    if hops == 0 {
        return peer;
    }
    let entries = forwarded_for(headers);
    entries.len().checked_sub(hops).and_then(|index| parse_entry(entries[index])).unwrap_or(peer)
}

/// Every `X-Forwarded-For` entry, over all such headers, left to right.
fn forwarded_for(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect()
}

/// From the right, the first entry that is not a trusted proxy. An entry that does not parse
/// ends the walk at the last address known, which is a trusted proxy's.
fn walk_past_proxies(entries: &[&str], peer: IpAddr, policy: &ClientIpPolicy) -> IpAddr {
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(address) = parse_entry(entry) else { return client };
        client = address;
        if !policy.is_trusted(address) {
            return client;
        }
    }
    client
}

/// `203.0.113.7`, `203.0.113.7:5678`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:443`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let address = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| entry.strip_prefix('[')?.strip_suffix(']')?.parse().ok())?;
    Some(address.to_canonical())
}

#[cfg(test)]
mod tests;
