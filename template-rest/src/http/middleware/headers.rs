//! Response headers after the OWASP Secure Headers project, and CORS for configured origins.
//!
//! The security headers are one layer whose future sets them all, rather than a tower-http
//! `SetResponseHeader` layer for each.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{HeaderName, HeaderValue, Method, Request, Response, header};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::http::HttpSettings;

/// One header to set: its name, its value, and whether it replaces a handler's own.
type Rule = (HeaderName, HeaderValue, bool);

/// Sets the security headers on every response: five unless the handler set them, and HSTS
/// (always) when configured.
#[derive(Debug, Clone)]
pub(super) struct SecurityHeadersLayer {
    rules: Arc<[Rule]>,
}

impl SecurityHeadersLayer {
    /// The headers for `settings`.
    pub(super) fn new(settings: &HttpSettings) -> Self {
        let fixed = |name, value| (name, HeaderValue::from_static(value), false);
        let mut rules = vec![
            fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            fixed(header::X_FRAME_OPTIONS, "DENY"),
            fixed(header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
            fixed(header::REFERRER_POLICY, "no-referrer"),
            fixed(header::CACHE_CONTROL, "no-store"),
        ];
        if let Some(max_age) = settings.hsts_max_age {
            let value = format!("max-age={}; includeSubDomains", max_age.as_secs());
            if let Ok(value) = HeaderValue::from_str(&value) {
                rules.push((header::STRICT_TRANSPORT_SECURITY, value, true));
            }
        }
        Self { rules: rules.into() }
    }
}

impl<S> Layer<S> for SecurityHeadersLayer {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SecurityHeaders { inner, rules: self.rules.clone() }
    }
}

/// The service of [`SecurityHeadersLayer`].
#[derive(Debug, Clone)]
pub(super) struct SecurityHeaders<S> {
    inner: S,
    rules: Arc<[Rule]>,
}

impl<S, B, R> Service<Request<B>> for SecurityHeaders<S>
where
    S: Service<Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = SecurityHeadersFuture<S::Future>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        SecurityHeadersFuture { inner: self.inner.call(request), rules: self.rules.clone() }
    }
}

pin_project! {
    /// The response future of [`SecurityHeaders`].
    pub(crate) struct SecurityHeadersFuture<F> {
        #[pin]
        inner: F,
        rules: Arc<[Rule]>,
    }
}

impl<F, R, E> Future for SecurityHeadersFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(context))?;
        let headers = response.headers_mut();
        for (name, value, overriding) in this.rules.iter() {
            if *overriding || !headers.contains_key(name) {
                headers.insert(name, value.clone());
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// CORS for exactly the configured origins; none configured means no CORS headers at all.
pub(super) fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> =
        origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()).collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("x-request-id"), header::LOCATION])
            .max_age(std::time::Duration::from_hours(1)),
    )
}
