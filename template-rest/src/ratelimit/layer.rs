//! The per-client rate limit on every route, as a tower layer.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use super::client_ip::{client_ip, peer};
use super::limiter::{RateLimiter, client_network};
use super::rejection::TooManyRequests;
use super::settings::ClientIpPolicy;

/// Answers 429 with `Retry-After` ([`TooManyRequests`]) when the client, found through the
/// [`ClientIpPolicy`], has used up its bucket. Counts each refusal in
/// `rate_limited_total{scope="client"}`.
///
/// Its future is boxed: [`RateLimiter::check`] is an async trait method (a Redis round trip
/// with `LimitStore::Redis`), so its future is boxed already and borrows the key.
#[derive(Clone)]
pub struct PerClientLayer {
    limiter: Arc<dyn RateLimiter>,
    policy: Arc<ClientIpPolicy>,
}

impl PerClientLayer {
    /// Limits each client address (an IPv6 client per /64) with `limiter`.
    #[must_use]
    pub fn new(limiter: Arc<dyn RateLimiter>, policy: Arc<ClientIpPolicy>) -> Self {
        Self { limiter, policy }
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
                return Ok(TooManyRequests { retry_after }.into_response());
            }
            inner.call(request).await
        })
    }
}
