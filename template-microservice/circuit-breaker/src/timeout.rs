//! [`CircuitBreaker::call_with_timeout`], with the `tokio` feature: a call
//! that outlives its timeout is cancelled and counted as a failure.

use std::future::Future;
use std::time::Duration;

use crate::{CircuitBreaker, Classifier, DefaultClassifier, Error, Outcome};

impl CircuitBreaker {
    /// Runs `operation` through the breaker with a time limit (tokio's
    /// timer). A timeout counts as a failure and returns [`Error::Timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use circuit_breaker::{CircuitBreaker, Error};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), circuit_breaker::ConfigError> {
    /// let breaker = CircuitBreaker::builder().build()?;
    /// let slow = || async {
    ///     tokio::time::sleep(Duration::from_secs(5)).await;
    ///     Ok::<_, ()>(())
    /// };
    /// let result = breaker.call_with_timeout(Duration::from_secs(1), slow).await;
    /// assert_eq!(result, Err(Error::Timeout(Duration::from_secs(1))));
    /// assert_eq!(breaker.handle().metrics().failures, 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Rejected`], [`Error::Timeout`], or the operation's own error.
    pub async fn call_with_timeout<F, Fut, T, E>(
        &self,
        limit: Duration,
        operation: F,
    ) -> Result<T, Error<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let permit = self.try_acquire().map_err(Error::Rejected)?;
        let Ok(result) = tokio::time::timeout(limit, operation()).await else {
            permit.record(Outcome::Failure);
            return Err(Error::Timeout(limit));
        };
        permit.record(DefaultClassifier.classify(&result));
        result.map_err(Error::Inner)
    }
}
