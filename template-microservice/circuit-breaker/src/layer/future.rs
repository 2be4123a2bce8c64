//! [`ResponseFuture`]: the future of a guarded call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::{Classifier, Error, OwnedPermit, Rejected};

pin_project! {
    /// The response of a [`super::CircuitBreakerService`]: the inner
    /// service's future, which records its outcome when it completes, or an
    /// immediate rejection. Dropping it before completion counts nothing and
    /// frees a half-open trial slot.
    pub struct ResponseFuture<F, C> {
        #[pin]
        inner: Option<F>,
        permit: Option<OwnedPermit>,
        rejected: Option<Rejected>,
        classifier: C,
    }
}

impl<F, C> ResponseFuture<F, C> {
    pub(crate) fn admitted(inner: F, permit: OwnedPermit, classifier: C) -> Self {
        Self {
            inner: Some(inner),
            permit: Some(permit),
            rejected: None,
            classifier,
        }
    }

    pub(crate) fn rejected(rejected: Rejected, classifier: C) -> Self {
        Self {
            inner: None,
            permit: None,
            rejected: Some(rejected),
            classifier,
        }
    }
}

impl<F, C> std::fmt::Debug for ResponseFuture<F, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("permit", &self.permit)
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

impl<F, C, T, E> Future for ResponseFuture<F, C>
where
    F: Future<Output = Result<T, E>>,
    C: Classifier<T, E>,
{
    type Output = Result<T, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(rejected) = this.rejected.take() {
            return Poll::Ready(Err(Error::Rejected(rejected)));
        }
        let Some(inner) = this.inner.as_pin_mut() else {
            return Poll::Pending;
        };
        let result = ready!(inner.poll(cx));
        if let Some(permit) = this.permit.take() {
            permit.record(this.classifier.classify(&result));
        }
        Poll::Ready(result.map_err(Error::Inner))
    }
}
