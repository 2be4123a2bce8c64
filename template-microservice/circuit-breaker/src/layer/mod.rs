//! The tower integration: [`CircuitBreakerLayer`] and
//! [`CircuitBreakerService`] (feature `tower`, on by default).
//!
//! `poll_ready` asks the breaker first and the inner service second, so an
//! open circuit answers at once, without waiting for the inner service to
//! become ready. The admission taken in `poll_ready` is used by the next
//! `call`. Two modes:
//!
//! * [`Mode::Reject`] (default): when the breaker refuses, `poll_ready` is
//!   ready and the next `call` fails at once with [`crate::Error::Rejected`].
//! * [`Mode::Backpressure`]: `poll_ready` stays pending until the breaker
//!   admits again, sleeping with the given [`Sleeper`] for the retry-after
//!   hint between tries.
//!
//! Responses are classified by a [`crate::Classifier`] of
//! `Result<Response, Error>`; wrap the inner service in
//! `tower::timeout::Timeout` so that timeouts count as failures.
//!
//! ```
//! use circuit_breaker::{CircuitBreaker, Outcome, layer::CircuitBreakerLayer};
//! use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let breaker = CircuitBreaker::builder().consecutive_failures(3).build()?;
//! let layer = CircuitBreakerLayer::new(breaker.clone())
//!     // A 4xx is the caller's fault: not counted.
//!     .classifier(|result: &Result<u16, std::io::Error>| match result {
//!         Ok(status) if *status >= 500 => Outcome::Failure,
//!         Ok(status) if *status >= 400 => Outcome::Ignored,
//!         Ok(_) => Outcome::Success,
//!         Err(_) => Outcome::Failure,
//!     });
//! let mut service = ServiceBuilder::new()
//!     .layer(layer)
//!     .service(service_fn(|path: &'static str| async move {
//!         Ok::<u16, std::io::Error>(if path == "/missing" { 404 } else { 503 })
//!     }));
//!
//! assert_eq!(service.ready().await?.call("/missing").await?, 404);
//! for _ in 0..3 {
//!     service.ready().await?.call("/flaky").await?;
//! }
//! let refused = service.ready().await?.call("/flaky").await;
//! assert!(refused.unwrap_err().rejected().is_some());
//! # Ok(()) }
//! ```

mod service;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use service::CircuitBreakerService;

use crate::{Call, CircuitBreaker, DefaultClassifier, OwnedPermit};

/// The response future of a [`CircuitBreakerService`]: the inner future,
/// recording its outcome when it completes, or an immediate rejection.
/// Dropping it before completion counts nothing and frees a trial slot.
pub type ResponseFuture<F, C> = Call<F, C, OwnedPermit>;

/// Waits for a while, for the backpressure mode. Implement it for your
/// executor's timer, or use `TokioSleeper` (feature `tokio`).
pub trait Sleeper: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Tokio's timer, for the backpressure mode.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What the service does when the breaker refuses a call.
#[derive(Clone, Default)]
pub enum Mode {
    /// Fail the call at once with the rejection.
    #[default]
    Reject,
    /// Keep `poll_ready` pending until the breaker admits a call.
    Backpressure(Arc<dyn Sleeper>),
}

impl std::fmt::Debug for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reject => f.write_str("Reject"),
            Self::Backpressure(_) => f.write_str("Backpressure"),
        }
    }
}

/// Wraps services in a [`CircuitBreakerService`] sharing one breaker.
#[derive(Debug, Clone)]
pub struct CircuitBreakerLayer<C = DefaultClassifier> {
    breaker: CircuitBreaker,
    classifier: C,
    mode: Mode,
}

impl CircuitBreakerLayer {
    /// A layer in reject mode, where `Ok` is a success and `Err` a failure.
    #[must_use]
    pub fn new(breaker: CircuitBreaker) -> Self {
        Self { breaker, classifier: DefaultClassifier, mode: Mode::Reject }
    }
}

impl<C> CircuitBreakerLayer<C> {
    /// Classify responses with `classifier` instead.
    #[must_use]
    pub fn classifier<D>(self, classifier: D) -> CircuitBreakerLayer<D> {
        CircuitBreakerLayer { breaker: self.breaker, classifier, mode: self.mode }
    }

    /// Use `mode` when the breaker refuses.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Backpressure mode, sleeping with `sleeper`.
    #[must_use]
    pub fn backpressure(self, sleeper: impl Sleeper) -> Self {
        self.mode(Mode::Backpressure(Arc::new(sleeper)))
    }
}

impl<S, C: Clone> tower_layer::Layer<S> for CircuitBreakerLayer<C> {
    type Service = CircuitBreakerService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService::new(
            inner,
            self.breaker.clone(),
            self.classifier.clone(),
            self.mode.clone(),
        )
    }
}
