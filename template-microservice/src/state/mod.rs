//! `AppState`: what handlers can reach, wired once at startup and cloned per request.

mod backlog;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use metrics_exporter_prometheus::PrometheusHandle;

pub(crate) use backlog::BacklogCache;

use crate::messaging::Broker;
use crate::repositories::HealthCheck;
use crate::resilient_client::BreakerStatus;
use crate::services::orders::OrderService;
use crate::services::rate_limit::RateLimiter;
use crate::services::tokens::TokenVerifier;

/// Shared application state. Cloning is cheap: every field is reference-counted.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) orders: Arc<OrderService>,
    /// The per-user limit on placing orders.
    pub(crate) order_limit: Arc<dyn RateLimiter>,
    /// Access-token verification, for the `CurrentUser` extractor.
    pub(crate) tokens: Arc<TokenVerifier>,
    /// What `/health/ready` reports.
    pub(crate) readiness: Arc<Readiness>,
    /// The outbox's depth and age, for `/metrics`, read at most once per window.
    pub(crate) backlog: Arc<BacklogCache>,
    /// Renders `/metrics`.
    pub(crate) metrics: PrometheusHandle,
}

/// The dependencies readiness reports on, and whether shutdown has begun.
pub(crate) struct Readiness {
    pub(crate) database: Arc<dyn HealthCheck>,
    pub(crate) broker: Arc<dyn Broker>,
    /// Each circuit breaker, by name.
    pub(crate) breakers: Vec<BreakerStatus>,
    /// Set when shutdown begins.
    pub(crate) shutdown: ShutdownSignal,
}

/// Set once when shutdown begins; readiness reports it at once.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShutdownSignal {
    draining: Arc<AtomicBool>,
}

impl ShutdownSignal {
    /// Marks the service as shutting down.
    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    #[must_use]
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}
