//! The per-client rate limit on every route, and the client address behind trusted proxies.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use crate::problem::AppError;
use crate::services::rate_limit::{RateLimiter, client_network};
use crate::state::{AppState, ClientIpPolicy};

/// Answers 429 with `Retry-After` when the client has used up its bucket.
///
/// Its future is boxed: [`RateLimiter::check`] is an async trait method (a Redis round trip
/// with `RATE_LIMIT_STORE=redis`), so its future is boxed already and borrows the key.
#[derive(Clone)]
pub struct PerClientLayer {
    limiter: Arc<dyn RateLimiter>,
    policy: Arc<ClientIpPolicy>,
}

impl PerClientLayer {
    /// The limiter and client address policy of `state`.
    pub fn new(state: &AppState) -> Self {
        Self { limiter: state.rate_limiter.clone(), policy: state.client_ip.clone() }
    }
}

impl<S> Layer<S> for PerClientLayer {
    type Service = PerClient<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PerClient { inner, limiter: self.limiter.clone(), policy: self.policy.clone() }
    }
}

/// The service of [`PerClientLayer`].
#[derive(Clone)]
pub struct PerClient<S> {
    inner: S,
    limiter: Arc<dyn RateLimiter>,
    policy: Arc<ClientIpPolicy>,
}

impl<S> Service<Request> for PerClient<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let client = client_ip(request.headers(), peer(request.extensions()), &self.policy);
        let key = format!("ip:{}", client_network(client));
        let limiter = self.limiter.clone();
        // The readied service goes with the request; a clone stays for the next one.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            if let Err(retry_after) = limiter.check(&key).await {
                metrics::counter!("rate_limited_total", "scope" => "client").increment(1);
                return Ok(AppError::TooManyRequests { retry_after }.into_response());
            }
            inner.call(request).await
        })
    }
}

/// The client's address, for handlers that limit on it (login, registration, password change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(&parts.headers, peer(&parts.extensions), &state.client_ip)))
    }
}

/// The peer address; in-process tests have none, and count as localhost.
fn peer(extensions: &axum::http::Extensions) -> IpAddr {
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
