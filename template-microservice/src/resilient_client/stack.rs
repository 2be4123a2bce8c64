//! [`ResilientClient`]: the module's stack around one pooled HTTP/1 client, from the
//! outside in: deadline, retry, breaker, attempt deadline, client.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use circuit_breaker::layer::CircuitBreakerLayer;
use circuit_breaker::{CircuitBreaker, Handle};
use tower::util::BoxCloneService;
use tower::{BoxError, ServiceBuilder, ServiceExt as _};

use super::breaker::{self, BreakerStatus};
use super::client::{AttemptError, HttpRequest, HttpResponse, HttpSend};
use super::retry::RetryPolicy;
use super::settings::ClientSettings;

/// The stack, from the outside in: deadline, retry, breaker, attempt deadline, client.
type Stack = BoxCloneService<HttpRequest, HttpResponse, BoxError>;

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The whole call, retries included, ran out of time.
    #[error("the call timed out")]
    TimedOut,
    /// The circuit is open: the call was not even tried.
    #[error("the circuit is open")]
    CircuitOpen {
        /// When it is worth trying again.
        retry_after: Duration,
    },
    /// The downstream failed or could not be reached, after retries.
    #[error("{0}")]
    Failed(String),
}

/// A client of one downstream service, with its own breaker and retry budget.
#[derive(Clone)]
pub struct ResilientClient {
    /// Cloned for each call. The breaker's service holds a pending admission between
    /// `poll_ready` and `call`, which is `Send` but not `Sync`, hence the lock, held only to
    /// clone.
    stack: Arc<Mutex<Stack>>,
    name: &'static str,
    breaker: Handle,
}

impl std::fmt::Debug for ResilientClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("ResilientClient").field("name", &self.name).finish_non_exhaustive()
    }
}

impl ResilientClient {
    /// The client of the service `name` (in logs, metrics and readiness). Build it after the
    /// metrics recorder is installed, so that the breaker registers its gauge there.
    ///
    /// # Errors
    /// When a setting is out of range (see [`ClientSettings`]).
    pub fn new(name: &'static str, settings: &ClientSettings) -> Result<Self, BoxError> {
        let breaker = breaker::build(name, &settings.breaker)?;
        let handle = breaker.handle();
        Ok(Self {
            stack: Arc::new(Mutex::new(stack(name, settings, breaker)?)),
            name,
            breaker: handle,
        })
    }

    /// Sends `request` through the stack. Any answer is `Ok`, a 5xx included (after retries).
    ///
    /// # Errors
    /// See [`CallError`].
    pub async fn call(&self, request: HttpRequest) -> Result<HttpResponse, CallError> {
        let service = self.stack.lock().map_err(|_| CallError::Failed("poisoned".into()))?.clone();
        service.oneshot(request).await.map_err(call_error)
    }

    /// The breaker, for [`breaker::watch`] and for tests.
    #[must_use]
    pub fn breaker(&self) -> Handle {
        self.breaker.clone()
    }

    /// The breaker's name and state, for readiness.
    #[must_use]
    pub fn status(&self) -> BreakerStatus {
        BreakerStatus::new(self.name, self.breaker.clone())
    }
}

fn stack(
    name: &'static str,
    settings: &ClientSettings,
    breaker: CircuitBreaker,
) -> Result<Stack, BoxError> {
    let service = ServiceBuilder::new()
        .timeout(settings.timeout)
        .layer(tower::retry::RetryLayer::new(RetryPolicy::new(name, &settings.retry)?))
        .layer(CircuitBreakerLayer::new(breaker).classifier(breaker::classify))
        .map_err(AttemptError::from_boxed)
        .timeout(settings.attempt_timeout)
        .service(HttpSend::new());
    Ok(BoxCloneService::new(service))
}

/// What a failed call means for the caller.
fn call_error(error: BoxError) -> CallError {
    if error.is::<tower::timeout::error::Elapsed>() {
        return CallError::TimedOut;
    }
    match error.downcast::<circuit_breaker::Error<AttemptError>>() {
        Ok(breaker_error) => match *breaker_error {
            circuit_breaker::Error::Rejected(rejected) => {
                CallError::CircuitOpen { retry_after: rejected.retry_after }
            }
            other => CallError::Failed(other.to_string()),
        },
        Err(other) => CallError::Failed(other.to_string()),
    }
}
