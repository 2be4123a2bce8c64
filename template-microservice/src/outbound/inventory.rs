//! The inventory service over HTTP: `POST {INVENTORY_URL}/reservations`, answering 201 when
//! reserved and 409 when out of stock, and `DELETE {INVENTORY_URL}/reservations/{order_id}`,
//! answering 2xx (or 404: nothing to release), through the resilient stack of [`super`].

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use circuit_breaker::layer::CircuitBreakerLayer;
use circuit_breaker::{CircuitBreaker, Handle};
use http::{Method, StatusCode, header};
use http_body_util::Full;
use tower::util::BoxCloneService;
use tower::{BoxError, ServiceBuilder, ServiceExt as _};
use uuid::Uuid;

use super::client::{HttpRequest, HttpResponse, HttpSend};
use super::retry::{IDEMPOTENCY_KEY, RetryPolicy};
use super::{AttemptError, breaker};
use crate::config::InventoryConfig;
use crate::domain::trace::{TRACEPARENT, TraceContext};
use crate::services::inventory::{Inventory, InventoryError, Reservation};

/// The breaker's name, in logs, metrics and readiness.
pub const BREAKER_NAME: &str = "inventory";

/// The stack, from the outside in: deadline, retry, breaker, attempt deadline, client.
type Stack = BoxCloneService<HttpRequest, HttpResponse, BoxError>;

/// The inventory client.
#[derive(Clone)]
pub struct HttpInventory {
    /// Cloned for each call. The breaker's service holds a pending admission between
    /// `poll_ready` and `call`, which is `Send` but not `Sync`, hence the lock, held only to
    /// clone.
    stack: Arc<Mutex<Stack>>,
    reservations_url: String,
    breaker: Handle,
}

impl std::fmt::Debug for HttpInventory {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpInventory")
            .field("url", &self.reservations_url)
            .finish_non_exhaustive()
    }
}

impl HttpInventory {
    /// The client, with its breaker. Build it after the metrics recorder is installed.
    ///
    /// # Errors
    /// When a setting is out of range (checked by the configuration already).
    pub fn new(config: &InventoryConfig) -> Result<Self, BoxError> {
        let breaker = breaker::build(BREAKER_NAME, &config.breaker)?;
        let handle = breaker.handle();
        Ok(Self {
            stack: Arc::new(Mutex::new(stack(config, breaker)?)),
            reservations_url: format!("{}/reservations", config.url),
            breaker: handle,
        })
    }

    /// The breaker, for the state-change watcher.
    #[must_use]
    pub fn breaker(&self) -> Handle {
        self.breaker.clone()
    }

    /// The breaker's name and state, for readiness.
    #[must_use]
    pub fn breaker_status(&self) -> breaker::BreakerStatus {
        breaker::BreakerStatus::new(BREAKER_NAME, self.breaker.clone())
    }

    fn request(
        &self,
        reservation: &Reservation,
        trace: TraceContext,
    ) -> Result<HttpRequest, InventoryError> {
        let body = serde_json::to_vec(reservation)
            .map_err(|error| InventoryError::Failed(error.to_string()))?;
        http::Request::builder()
            .method(Method::POST)
            .uri(&self.reservations_url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, reservation.order_id.to_string())
            .header(TRACEPARENT, trace.to_string())
            .body(Full::new(Bytes::from(body)))
            .map_err(|error| InventoryError::Failed(error.to_string()))
    }
}

/// A `DELETE` of the reservation of `order_id` (idempotent, so the stack may retry it).
fn release_request(
    reservations_url: &str,
    order_id: Uuid,
    trace: TraceContext,
) -> Result<HttpRequest, InventoryError> {
    http::Request::builder()
        .method(Method::DELETE)
        .uri(format!("{reservations_url}/{order_id}"))
        .header(TRACEPARENT, trace.to_string())
        .body(Full::default())
        .map_err(|error| InventoryError::Failed(error.to_string()))
}

fn stack(config: &InventoryConfig, breaker: CircuitBreaker) -> Result<Stack, BoxError> {
    let service = ServiceBuilder::new()
        .timeout(config.timeout)
        .layer(tower::retry::RetryLayer::new(RetryPolicy::new(BREAKER_NAME, &config.retry)?))
        .layer(CircuitBreakerLayer::new(breaker).classifier(breaker::classify))
        .map_err(AttemptError::from_boxed)
        .timeout(config.attempt_timeout)
        .service(HttpSend::new());
    Ok(BoxCloneService::new(service))
}

#[async_trait]
impl Inventory for HttpInventory {
    async fn reserve(
        &self,
        reservation: &Reservation,
        trace: TraceContext,
    ) -> Result<(), InventoryError> {
        let response = self.call(self.request(reservation, trace)?).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => Ok(()),
            StatusCode::CONFLICT => Err(InventoryError::OutOfStock),
            other => Err(InventoryError::Failed(format!("inventory answered {other}"))),
        }
    }

    async fn release(&self, order_id: Uuid, trace: TraceContext) -> Result<(), InventoryError> {
        let request = release_request(&self.reservations_url, order_id, trace)?;
        let response = self.call(request).await?;
        let status = response.status();
        if status.is_success() || status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(InventoryError::Failed(format!("inventory answered {status}")))
    }
}

impl HttpInventory {
    /// Sends `request` through the stack.
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, InventoryError> {
        let service =
            self.stack.lock().map_err(|_| InventoryError::Failed("poisoned".into()))?.clone();
        service.oneshot(request).await.map_err(call_error)
    }
}

/// What a failed call means for the caller.
fn call_error(error: BoxError) -> InventoryError {
    if error.is::<tower::timeout::error::Elapsed>() {
        return InventoryError::Failed("the call timed out".to_owned());
    }
    match error.downcast::<circuit_breaker::Error<AttemptError>>() {
        Ok(breaker_error) => match *breaker_error {
            circuit_breaker::Error::Rejected(rejected) => {
                InventoryError::CircuitOpen { retry_after: rejected.retry_after }
            }
            other => InventoryError::Failed(other.to_string()),
        },
        Err(other) => InventoryError::Failed(other.to_string()),
    }
}
