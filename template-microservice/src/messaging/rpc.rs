//! The `orders.get` responder: the request–reply counterpart of `NestJS`'s `@MessagePattern`.
//!
//! A request is `{"id":"<uuid>"}`. The reply is the order, or `{"error":{"code":…}}` with
//! `not_found`, `bad_request`, `timeout` (the lookup took longer than `RPC_TIMEOUT_MS`) or
//! `unavailable`. Requests are shared among instances, and served concurrently.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;
use uuid::Uuid;

use super::{Broker, IncomingRequest, TransportError};
use crate::domain::trace::TraceContext;
use crate::services::orders::OrderService;
use crate::telemetry;

/// The subject of order look-ups.
pub(crate) const ORDERS_GET_SUBJECT: &str = "orders.get";
/// Requests served at once.
const CONCURRENCY: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetOrder {
    id: Uuid,
}

/// Answers `orders.get`.
pub(crate) struct OrdersResponder {
    orders: Arc<OrderService>,
    timeout: Duration,
}

impl std::fmt::Debug for OrdersResponder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OrdersResponder")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OrdersResponder {
    /// A responder that gives each look-up at most `timeout`.
    #[must_use]
    pub(crate) fn new(orders: Arc<OrderService>, timeout: Duration) -> Self {
        Self { orders, timeout }
    }

    /// Subscribes, then answers requests until `stop` is cancelled.
    ///
    /// # Errors
    /// When the subscription fails.
    pub(crate) async fn run(
        self: Arc<Self>,
        transport: &dyn Broker,
        stop: CancellationToken,
    ) -> Result<(), TransportError> {
        let requests = transport.requests(ORDERS_GET_SUBJECT).await?;
        requests
            .take_until(stop.cancelled_owned())
            .for_each_concurrent(CONCURRENCY, |request| self.answer(request))
            .await;
        Ok(())
    }

    async fn answer(&self, request: IncomingRequest) {
        let trace = TraceContext::from_header(request.traceparent.as_deref());
        let span =
            tracing::info_span!("rpc", subject = ORDERS_GET_SUBJECT, trace_id = %trace.trace_id());
        let _ = telemetry::link(&span, trace);
        let reply = self.reply_to(&request.payload).instrument(span).await;
        let payload = serde_json::to_vec(&reply).unwrap_or_default();
        if let Err(error) = request.reply.respond(payload.into()).await {
            tracing::warn!(%error, "cannot reply to orders.get");
        }
    }

    /// The reply to one request body.
    pub(crate) async fn reply_to(&self, payload: &[u8]) -> Value {
        let Ok(GetOrder { id }) = serde_json::from_slice(payload) else {
            return error("bad_request");
        };
        match tokio::time::timeout(self.timeout, self.orders.find(id)).await {
            Ok(Ok(Some(order))) => {
                serde_json::to_value(order).unwrap_or_else(|_| error("internal"))
            }
            Ok(Ok(None)) => error("not_found"),
            Ok(Err(failure)) => {
                tracing::warn!(error = %failure, "orders.get failed");
                error("unavailable")
            }
            Err(_) => error("timeout"),
        }
    }
}

fn error(code: &str) -> Value {
    json!({ "error": { "code": code } })
}
