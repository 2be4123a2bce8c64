//! Overload protection in one layer: load shedding past the concurrency limit, a per-request
//! timeout, and panics turned into a bare 500 while the process keeps serving.
//!
//! One layer with a plain future does what four did (tower's load shedding and global
//! concurrency limit, a `from_fn` timeout, tower-http's `CatchPanic`), without boxing a future
//! or a body per request.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Timeout;
use tower::{Layer, Service};

use crate::http::HttpSettings;
use crate::problem::Problem;

/// How long a shed or timed-out client should wait before retrying.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// At most `concurrency_limit` requests at once (503 at once past it, never a queue), each
/// answered within `request_timeout` (503 after it), a panic answered with a bare 500.
#[derive(Debug, Clone)]
pub(super) struct OverloadLayer {
    permits: Arc<Semaphore>,
    limit: Duration,
}

impl OverloadLayer {
    /// The limits of `settings`.
    pub(super) fn new(settings: &HttpSettings) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(settings.concurrency_limit)),
            limit: settings.request_timeout,
        }
    }
}

impl<S> Layer<S> for OverloadLayer {
    type Service = Overload<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Overload { inner, permits: self.permits.clone(), limit: self.limit }
    }
}

/// The service of [`OverloadLayer`].
#[derive(Debug, Clone)]
pub(super) struct Overload<S> {
    inner: S,
    permits: Arc<Semaphore>,
    limit: Duration,
}

impl<S> Service<Request> for Overload<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = OverloadFuture<S::Future>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            metrics::counter!("load_shed_total").increment(1);
            return OverloadFuture::Done { response: Some(overloaded()) };
        };
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(inner) => OverloadFuture::Running {
                inner: tokio::time::timeout(self.limit, inner),
                permit,
                limit: self.limit,
            },
            Err(payload) => OverloadFuture::Done { response: Some(panicked(payload.as_ref())) },
        }
    }
}

pin_project! {
    /// The response future of [`Overload`]: an answer already known, or the request running
    /// under its timeout and holding its concurrency permit.
    #[project = OverloadProjection]
    pub(crate) enum OverloadFuture<F> {
        Done { response: Option<Response> },
        Running {
            #[pin]
            inner: Timeout<F>,
            permit: OwnedSemaphorePermit,
            limit: Duration,
        },
    }
}

impl<F, E> Future for OverloadFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            OverloadProjection::Done { response } => {
                Poll::Ready(Ok(response.take().expect("polled after completion")))
            }
            OverloadProjection::Running { inner, limit, .. } => {
                match catch_unwind(AssertUnwindSafe(|| inner.poll(context))) {
                    Ok(Poll::Pending) => Poll::Pending,
                    Ok(Poll::Ready(Ok(result))) => Poll::Ready(result),
                    Ok(Poll::Ready(Err(_elapsed))) => Poll::Ready(Ok(timed_out(*limit))),
                    Err(payload) => Poll::Ready(Ok(panicked(payload.as_ref()))),
                }
            }
        }
    }
}

/// Past the concurrency limit: 503 at once instead of queueing.
fn overloaded() -> Response {
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the service is overloaded, retry later")
        .with_retry_after(RETRY_AFTER)
        .into_response()
}

/// The request took longer than the configured limit: 503.
fn timed_out(limit: Duration) -> Response {
    tracing::warn!(?limit, "request timed out");
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the request took too long")
        .with_retry_after(RETRY_AFTER)
        .into_response()
}

/// A panic in a handler: logged with its message, answered with a 500 that reveals nothing.
fn panicked(payload: &(dyn Any + Send)) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "an unexpected error occurred").into_response()
}
