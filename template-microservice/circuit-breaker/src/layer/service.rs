//! [`CircuitBreakerService`]: the tower service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use super::{Mode, ResponseFuture};
use crate::{CircuitBreaker, Classifier, Error, OwnedPermit, Rejected};

/// The shortest backpressure sleep, so a zero retry-after hint cannot spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);

enum Gate {
    Idle,
    Admitted(OwnedPermit),
    Refused(Rejected),
    Waiting(Pin<Box<dyn Future<Output = ()> + Send>>),
}

/// A service guarded by a circuit breaker; see [`crate::layer`].
pub struct CircuitBreakerService<S, C> {
    inner: S,
    breaker: CircuitBreaker,
    classifier: C,
    mode: Mode,
    gate: Gate,
}

impl<S, C> CircuitBreakerService<S, C> {
    pub(crate) fn new(inner: S, breaker: CircuitBreaker, classifier: C, mode: Mode) -> Self {
        Self { inner, breaker, classifier, mode, gate: Gate::Idle }
    }

    /// The breaker guarding this service.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// Resolves the gate to an admission or a rejection.
    fn poll_gate(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            match &mut self.gate {
                Gate::Admitted(_) | Gate::Refused(_) => return Poll::Ready(()),
                Gate::Waiting(sleep) => {
                    ready!(sleep.as_mut().poll(cx));
                    self.gate = Gate::Idle;
                }
                Gate::Idle => self.gate = self.admit(),
            }
        }
    }

    /// The admission resolved by `poll_ready`, or a fresh one if `call`
    /// came without it.
    fn take_admission(&mut self) -> Result<OwnedPermit, Rejected> {
        match std::mem::replace(&mut self.gate, Gate::Idle) {
            Gate::Admitted(permit) => Ok(permit),
            Gate::Refused(rejected) => Err(rejected),
            Gate::Idle | Gate::Waiting(_) => self.breaker.try_acquire_owned(),
        }
    }

    fn admit(&self) -> Gate {
        match (self.breaker.try_acquire_owned(), &self.mode) {
            (Ok(permit), _) => Gate::Admitted(permit),
            (Err(rejected), Mode::Reject) => Gate::Refused(rejected),
            (Err(rejected), Mode::Backpressure(sleeper)) => {
                Gate::Waiting(sleeper.sleep(rejected.retry_after.max(MIN_SLEEP)))
            }
        }
    }
}

impl<S: Clone, C: Clone> Clone for CircuitBreakerService<S, C> {
    /// A clone with its own (empty) admission.
    fn clone(&self) -> Self {
        Self::new(
            self.inner.clone(),
            self.breaker.clone(),
            self.classifier.clone(),
            self.mode.clone(),
        )
    }
}

impl<S: std::fmt::Debug, C> std::fmt::Debug for CircuitBreakerService<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CircuitBreakerService")
            .field("inner", &self.inner)
            .field("breaker", &self.breaker)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<S, C, Request> tower_service::Service<Request> for CircuitBreakerService<S, C>
where
    S: tower_service::Service<Request>,
    C: Classifier<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = Error<S::Error>;
    type Future = ResponseFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        ready!(self.poll_gate(cx));
        if matches!(self.gate, Gate::Refused(_)) {
            return Poll::Ready(Ok(()));
        }
        self.inner.poll_ready(cx).map_err(Error::Inner)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.take_admission() {
            Ok(permit) => {
                ResponseFuture::admitted(self.inner.call(request), permit, self.classifier.clone())
            }
            Err(rejected) => ResponseFuture::rejected(rejected),
        }
    }
}
