//! The per-client rate limit on every route, and the client address behind trusted proxies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::{AppState, ClientIpPolicy};

/// Answers 429 with `Retry-After` when the client has used up its bucket.
pub async fn per_client(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = client_ip(request.headers(), peer(request.extensions()), state.client_ip);
    if let Err(retry_after) = state.rate_limiter.check(&format!("ip:{client}")) {
        metrics::counter!("rate_limited_total", "scope" => "client").increment(1);
        return AppError::TooManyRequests { retry_after }.into_response();
    }
    next.run(request).await
}

/// The client's address, for handlers that limit on it (login).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(&parts.headers, peer(&parts.extensions), state.client_ip)))
    }
}

/// The peer address; in-process tests have none, and count as localhost.
fn peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ConnectInfo(address)| address.ip())
}

/// The client address. With `trusted_proxy_hops = n`, it is the n-th `X-Forwarded-For` entry
/// from the right: the left-most entries are whatever the client sent, and only the entries
/// appended by our own proxies can be believed. Anything unparsable falls back to the peer.
#[must_use]
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, policy: ClientIpPolicy) -> IpAddr {
    let hops = policy.trusted_proxy_hops;
    if hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    entries.len().checked_sub(hops).and_then(|index| entries[index].parse().ok()).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(client_ip(&headers, PEER, ClientIpPolicy { trusted_proxy_hops: 0 }), PEER);
    }

    #[test]
    fn trusted_hops_count_from_the_right() {
        let headers = forwarded(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        let one = ClientIpPolicy { trusted_proxy_hops: 1 };
        let two = ClientIpPolicy { trusted_proxy_hops: 2 };
        assert_eq!(client_ip(&headers, PEER, one), ip("10.0.0.2"));
        assert_eq!(
            client_ip(&headers, PEER, two),
            ip("203.0.113.7"),
            "the spoofed entry is ignored"
        );
    }

    #[test]
    fn short_or_garbled_chains_fall_back_to_the_peer() {
        let three = ClientIpPolicy { trusted_proxy_hops: 3 };
        assert_eq!(client_ip(&forwarded(&["203.0.113.7"]), PEER, three), PEER);
        let one = ClientIpPolicy { trusted_proxy_hops: 1 };
        assert_eq!(client_ip(&forwarded(&["not-an-ip"]), PEER, one), PEER);
        assert_eq!(client_ip(&HeaderMap::new(), PEER, one), PEER);
    }
}
