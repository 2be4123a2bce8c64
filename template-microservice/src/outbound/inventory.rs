//! The inventory service over HTTP: `POST {INVENTORY_URL}/reservations`, answering 201 when
//! reserved and 409 when out of stock, and `DELETE {INVENTORY_URL}/reservations/{order_id}`,
//! answering 2xx (or 404: nothing to release), through a [`ResilientClient`].

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, StatusCode, header};
use http_body_util::Full;
use tower::BoxError;
use uuid::Uuid;

use crate::domain::trace::{TRACEPARENT, TraceContext};
use crate::resilient_client::{
    BreakerStatus, CallError, ClientSettings, HttpRequest, HttpResponse, IDEMPOTENCY_KEY,
    ResilientClient, breaker,
};
use crate::services::inventory::{Inventory, InventoryError, Reservation};

/// The breaker's name, in logs, metrics and readiness.
const BREAKER_NAME: &str = "inventory";

/// Where the inventory service is, and how it is called.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InventorySettings {
    /// Base URL, `http://` without a trailing slash (default `http://127.0.0.1:8081`).
    pub(crate) url: String,
    /// The resilient stack: deadlines, retries, breaker.
    pub(crate) client: ClientSettings,
}

#[derive(Clone, Debug)]
pub(crate) struct HttpInventory {
    client: ResilientClient,
    reservations_url: String,
}

impl HttpInventory {
    /// The client, with its breaker. Build it after the metrics recorder is installed.
    ///
    /// # Errors
    /// When a setting is out of range (checked by the configuration already).
    pub(crate) fn new(settings: &InventorySettings) -> Result<Self, BoxError> {
        Ok(Self {
            client: ResilientClient::new(BREAKER_NAME, &settings.client)?,
            reservations_url: format!("{}/reservations", settings.url),
        })
    }

    /// Logs and counts the breaker's state changes, until dropped or aborted.
    pub(crate) fn watch_breaker(&self) -> impl Future<Output = ()> + Send + 'static {
        breaker::watch(BREAKER_NAME, self.client.breaker())
    }

    /// The breaker's name and state, for readiness.
    #[must_use]
    pub(crate) fn breaker_status(&self) -> BreakerStatus {
        self.client.status()
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
        self.client.call(request).await.map_err(|error| match error {
            CallError::TimedOut => InventoryError::Failed(error.to_string()),
            CallError::CircuitOpen { retry_after } => InventoryError::CircuitOpen { retry_after },
            CallError::Failed(message) => InventoryError::Failed(message),
        })
    }
}
