//! The futures of guarded calls: [`Guarded`] runs an admitted operation and
//! records its outcome; [`Call`] is either that or an immediate rejection.
//!
//! They are plain structs rather than `async fn` state machines, so that a
//! call adds only a permit and a classifier to the operation's own future,
//! and nothing is boxed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::{Classifier, Error, OwnedPermit, Permit, Rejected};

/// A permit a guarded future reports its outcome to: [`Permit`] or
/// [`OwnedPermit`]. Sealed, and callable only from this crate.
pub trait RecordOutcome: sealed::Sealed {
    /// Records `outcome` in place; the permit's drop then does nothing.
    fn settle(&mut self, outcome: crate::Outcome, token: sealed::Token);
}

impl RecordOutcome for Permit<'_> {
    #[inline]
    fn settle(&mut self, outcome: crate::Outcome, _: sealed::Token) {
        Permit::settle(self, outcome);
    }
}

impl RecordOutcome for OwnedPermit {
    #[inline]
    fn settle(&mut self, outcome: crate::Outcome, _: sealed::Token) {
        OwnedPermit::settle(self, outcome);
    }
}

mod sealed {
    /// Only this crate can name it, so only this crate can settle permits.
    #[derive(Debug)]
    pub struct Token;

    pub trait Sealed {}
    impl Sealed for crate::Permit<'_> {}
    impl Sealed for crate::OwnedPermit {}
}

pin_project! {
    /// An admitted operation: completes with its result, after recording the
    /// outcome its classifier gives. Dropped before completion, it records
    /// nothing and frees a half-open trial slot.
    pub struct Guarded<F, C, P> {
        #[pin]
        future: F,
        permit: P,
        classifier: C,
        settled: bool,
    }
}

impl<F, C, P> Guarded<F, C, P> {
    pub(crate) fn new(future: F, permit: P, classifier: C) -> Self {
        Self { future, permit, classifier, settled: false }
    }
}

impl<F, C, P, T, E> Future for Guarded<F, C, P>
where
    F: Future<Output = Result<T, E>>,
    C: Classifier<T, E>,
    P: RecordOutcome,
{
    type Output = Result<T, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if *this.settled {
            return Poll::Pending;
        }
        let result = ready!(this.future.poll(cx));
        *this.settled = true;
        let outcome = this.classifier.classify(&result);
        this.permit.settle(outcome, sealed::Token);
        Poll::Ready(result)
    }
}

pin_project! {
    /// A call through the breaker: the [`Guarded`] operation, or the
    /// rejection if the breaker refused it.
    pub struct Call<F, C, P> {
        #[pin]
        guarded: Option<Guarded<F, C, P>>,
        rejected: Option<Rejected>,
    }
}

impl<F, C, P> Call<F, C, P> {
    pub(crate) fn admitted(future: F, permit: P, classifier: C) -> Self {
        Self { guarded: Some(Guarded::new(future, permit, classifier)), rejected: None }
    }

    pub(crate) fn rejected(rejected: Rejected) -> Self {
        Self { guarded: None, rejected: Some(rejected) }
    }
}

impl<F, C, P, T, E> Future for Call<F, C, P>
where
    F: Future<Output = Result<T, E>>,
    C: Classifier<T, E>,
    P: RecordOutcome,
{
    type Output = Result<T, Error<E>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(guarded) = this.guarded.as_pin_mut() {
            return guarded.poll(cx).map_err(Error::Inner);
        }
        match this.rejected.take() {
            Some(rejected) => Poll::Ready(Err(Error::Rejected(rejected))),
            None => Poll::Pending,
        }
    }
}

impl<F, C, P: std::fmt::Debug> std::fmt::Debug for Guarded<F, C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded").field("permit", &self.permit).finish_non_exhaustive()
    }
}

impl<F, C, P: std::fmt::Debug> std::fmt::Debug for Call<F, C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("guarded", &self.guarded)
            .field("rejected", &self.rejected)
            .finish()
    }
}
