//! What a finished call counts as: [`Outcome`], decided by a [`Classifier`].

/// How a finished call counts in the breaker's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The downstream worked.
    Success,
    /// The downstream failed: counts toward the failure rate and the
    /// consecutive failures.
    Failure,
    /// Not the downstream's fault (for example an HTTP 4xx, or a cancelled
    /// request): not counted at all. A half-open trial that is ignored frees
    /// its slot for another trial.
    Ignored,
}

/// Decides the [`Outcome`] of a call from its result.
///
/// Any `Fn(&Result<T, E>) -> Outcome` closure is a classifier:
///
/// ```
/// use circuit_breaker::{Classifier, Outcome};
///
/// // A 4xx status is the caller's fault, not the downstream's.
/// let by_status = |result: &Result<u16, std::io::Error>| match result {
///     Ok(status) if *status >= 500 => Outcome::Failure,
///     Ok(status) if *status >= 400 => Outcome::Ignored,
///     Ok(_) => Outcome::Success,
///     Err(_) => Outcome::Failure,
/// };
/// assert_eq!(by_status.classify(&Ok(404)), Outcome::Ignored);
/// assert_eq!(by_status.classify(&Ok(503)), Outcome::Failure);
/// ```
pub trait Classifier<T, E> {
    /// The outcome of a call that returned `result`.
    fn classify(&self, result: &Result<T, E>) -> Outcome;
}

impl<T, E, F> Classifier<T, E> for F
where
    F: Fn(&Result<T, E>) -> Outcome,
{
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        self(result)
    }
}

/// The default classifier: `Ok` is a success, `Err` a failure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultClassifier;

impl<T, E> Classifier<T, E> for DefaultClassifier {
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        match result {
            Ok(_) => Outcome::Success,
            Err(_) => Outcome::Failure,
        }
    }
}
