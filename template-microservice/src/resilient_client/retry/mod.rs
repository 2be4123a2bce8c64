//! The retry policy: idempotent requests only, jittered exponential backoff, and a budget
//! that caps retries to a share of all requests, so that retries cannot multiply the load on
//! a struggling service. A rejection by the circuit breaker is never retried.

use std::sync::Arc;

use tower::retry::backoff::{
    Backoff as _, ExponentialBackoff, ExponentialBackoffMaker, MakeBackoff,
};
use tower::retry::budget::{Budget as _, TpsBudget};
use tower::util::rng::HasherRng;

use super::client::{AttemptError, HttpRequest, HttpResponse};
use super::settings::RetrySettings;

/// The header that makes a non-idempotent method safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The result the policy looks at: the breaker's, around one attempt.
pub type AttemptResult = Result<HttpResponse, circuit_breaker::Error<AttemptError>>;

/// Decides whether and when to try again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    budget: Arc<TpsBudget>,
    backoff: ExponentialBackoff<HasherRng>,
    attempts_left: u32,
    first_result: bool,
    name: &'static str,
}

impl RetryPolicy {
    /// A policy for calls to `name`, from its settings.
    ///
    /// # Errors
    /// When the backoff settings are inconsistent (the longest backoff below the first, a
    /// jitter outside 0 to 1).
    pub fn new(name: &'static str, config: &RetrySettings) -> Result<Self, tower::BoxError> {
        let budget = TpsBudget::new(
            std::time::Duration::from_secs(10),
            config.budget_min_per_sec,
            config.budget_percent,
        );
        let mut maker = ExponentialBackoffMaker::new(
            config.backoff_min,
            config.backoff_max,
            config.jitter,
            HasherRng::default(),
        )?;
        Ok(Self {
            budget: Arc::new(budget),
            backoff: maker.make_backoff(),
            attempts_left: config.max_attempts.saturating_sub(1),
            first_result: true,
            name,
        })
    }

    fn should_retry(&mut self, request: &HttpRequest, result: &AttemptResult) -> bool {
        if std::mem::take(&mut self.first_result) {
            self.budget.deposit();
        }
        if !is_retryable(result) || !is_idempotent(request) || self.attempts_left == 0 {
            return false;
        }
        if !self.budget.withdraw() {
            metrics::counter!("outbound_retry_budget_exhausted_total", "target" => self.name)
                .increment(1);
            return false;
        }
        self.attempts_left -= 1;
        true
    }
}

impl tower::retry::Policy<HttpRequest, HttpResponse, circuit_breaker::Error<AttemptError>>
    for RetryPolicy
{
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        request: &mut HttpRequest,
        result: &mut AttemptResult,
    ) -> Option<Self::Future> {
        if !self.should_retry(request, result) {
            return None;
        }
        metrics::counter!("outbound_retries_total", "target" => self.name).increment(1);
        Some(self.backoff.next_backoff())
    }

    fn clone_request(&mut self, request: &HttpRequest) -> Option<HttpRequest> {
        let mut copy = http::Request::new(request.body().clone());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        Some(copy)
    }
}

/// Failures worth another attempt: server errors, timeouts and transport errors. A
/// rejection by the breaker means the downstream is known to be failing: fail fast.
fn is_retryable(result: &AttemptResult) -> bool {
    match result {
        Ok(response) => response.status().is_server_error(),
        Err(error) => error.rejected().is_none(),
    }
}

/// Safe to send twice: an idempotent method, or an explicit idempotency key.
fn is_idempotent(request: &HttpRequest) -> bool {
    request.method().is_idempotent() || request.headers().contains_key(IDEMPOTENCY_KEY)
}

#[cfg(test)]
mod tests;
