//! [`CircuitBreaker`]: admission, the plain async call API, and fallback.

use std::future::Future;
use std::sync::Arc;

use crate::call::{Call, Guarded};
use crate::clock::Clock;
use crate::core::Core;
use crate::{Classifier, Config, DefaultClassifier, Handle, OwnedPermit, Permit, Rejected, State};

/// A circuit breaker. Cheap to clone: clones share one state.
///
/// ```
/// use circuit_breaker::{CircuitBreaker, Error};
///
/// async fn fetch(id: u32) -> Result<u32, std::io::Error> {
///     Ok(id * 2)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let breaker = CircuitBreaker::builder().consecutive_failures(5).build()?;
/// match breaker.call(|| fetch(21)).await {
///     Ok(value) => assert_eq!(value, 42),
///     Err(Error::Rejected(rejected)) => println!("open; retry in {:?}", rejected.retry_after),
///     Err(error) => println!("failed: {error}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    core: Arc<Core>,
}

impl CircuitBreaker {
    pub(crate) fn from_parts(config: Config, clock: Arc<dyn Clock>) -> Self {
        Self { core: Arc::new(Core::new(config, clock)) }
    }

    /// Asks to make one call: a permit to report its outcome to, or the
    /// rejection. Lock-free and allocation-free while closed.
    ///
    /// # Errors
    /// The breaker is open, forced-open, or half-open with no free trial slot.
    #[inline]
    pub fn try_acquire(&self) -> Result<Permit<'_>, Rejected> {
        let ticket = self.core.admit()?;
        Ok(Permit::new(&self.core, ticket))
    }

    /// Like [`CircuitBreaker::try_acquire`], with a permit that owns a
    /// reference to the breaker (one reference-count increment).
    ///
    /// # Errors
    /// As [`CircuitBreaker::try_acquire`].
    #[inline]
    pub fn try_acquire_owned(&self) -> Result<OwnedPermit, Rejected> {
        let ticket = self.core.admit()?;
        Ok(OwnedPermit::new(Arc::clone(&self.core), ticket))
    }

    /// Runs `operation` through the breaker: `Ok` is a success, `Err` a
    /// failure. The breaker is asked at once; `operation` is called only if
    /// it admits. If the returned future is dropped before the operation
    /// ends, nothing is counted.
    ///
    /// The future resolves to the operation's result, with
    /// [`crate::Error::Rejected`] (the operation never ran) or
    /// [`crate::Error::Inner`].
    #[inline]
    pub fn call<F, Fut, T, E>(&self, operation: F) -> Call<Fut, DefaultClassifier, Permit<'_>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.call_classified(DefaultClassifier, operation)
    }

    /// Runs `operation` through the breaker; `classifier` says how its
    /// result counts. Otherwise as [`CircuitBreaker::call`].
    #[inline]
    pub fn call_classified<C, F, Fut, T, E>(
        &self,
        classifier: C,
        operation: F,
    ) -> Call<Fut, C, Permit<'_>>
    where
        C: Classifier<T, E>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        match self.try_acquire() {
            Ok(permit) => Call::admitted(operation(), permit, classifier),
            Err(rejected) => Call::rejected(rejected),
        }
    }

    /// Runs `operation` through the breaker, or `fallback` if the breaker
    /// refuses the call.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), circuit_breaker::ConfigError> {
    /// let breaker = circuit_breaker::CircuitBreaker::builder().build()?;
    /// breaker.handle().force_open();
    /// let price = breaker
    ///     .call_with_fallback(|| async { Ok::<_, ()>(10) }, |_rejected| async { Ok(0) })
    ///     .await;
    /// assert_eq!(price, Ok(0));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The error of whichever of the two ran.
    pub async fn call_with_fallback<F, Fut, G, GFut, T, E>(
        &self,
        operation: F,
        fallback: G,
    ) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        G: FnOnce(Rejected) -> GFut,
        GFut: Future<Output = Result<T, E>>,
    {
        match self.try_acquire() {
            Ok(permit) => Guarded::new(operation(), permit, DefaultClassifier).await,
            Err(rejected) => fallback(rejected).await,
        }
    }

    /// The current state.
    #[must_use]
    pub fn state(&self) -> State {
        self.core.word().state()
    }

    /// A handle for operators: reads state and metrics, forces states,
    /// subscribes to events.
    #[must_use]
    pub fn handle(&self) -> Handle {
        Handle::new(Arc::clone(&self.core))
    }
}
