//! Request ids: reuse the caller's `x-request-id` when it is well-formed, generate one
//! otherwise, and echo it on the response.
//!
//! [`RequestIdLayer`] does the three steps in one layer whose future is a plain struct, with no
//! allocation per request beyond a generated id.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// The header that carries the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a caller.
const MAX_LENGTH: usize = 128;

/// Whether a caller's id may be kept: 1 to 128 letters, digits, `-`, `_`, `.` or `:`.
fn well_formed(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LENGTH
        && bytes.iter().all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(byte))
}

/// The request's id after this call: the caller's when well-formed, a fresh UUID otherwise.
fn ensure_id(headers: &mut HeaderMap) -> HeaderValue {
    if let Some(value) = headers.get(&REQUEST_ID).filter(|value| well_formed(value)) {
        return value.clone();
    }
    let mut text = [0_u8; uuid::fmt::Hyphenated::LENGTH];
    let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
    let value = HeaderValue::from_str(text).expect("a UUID is a valid header value");
    headers.insert(REQUEST_ID, value.clone());
    value
}

/// Sanitizes, sets and echoes `x-request-id` in one layer: a malformed or missing id becomes
/// a UUID; the response carries the id unless the handler set one.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService { inner }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Debug, Clone)]
pub struct RequestIdService<S> {
    inner: S,
}

impl<S, B, R> Service<axum::http::Request<B>> for RequestIdService<S>
where
    S: Service<axum::http::Request<B>, Response = axum::http::Response<R>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = RequestIdFuture<S::Future>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, mut request: axum::http::Request<B>) -> Self::Future {
        let id = Some(ensure_id(request.headers_mut()));
        RequestIdFuture { inner: self.inner.call(request), id }
    }
}

pin_project! {
    /// The response future of [`RequestIdService`]: the inner one, and the id to echo.
    pub struct RequestIdFuture<F> {
        #[pin]
        inner: F,
        id: Option<HeaderValue>,
    }
}

impl<F, R, E> Future for RequestIdFuture<F>
where
    F: Future<Output = Result<axum::http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(context))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().entry(REQUEST_ID).or_insert(id);
        }
        Poll::Ready(Ok(response))
    }
}
