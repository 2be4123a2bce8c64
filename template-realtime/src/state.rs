//! `AppState`: everything a handler can reach, wired once at startup and cloned per request.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::TokenVerifier;
use crate::config::Limits;
use crate::connections::ConnectionLimit;
use crate::rooms::Rooms;
use crate::shutdown::Shutdown;
use crate::tickets::Tickets;

/// Shared application state. Cloning is cheap: every field is reference-counted or small.
#[derive(Clone)]
pub struct AppState {
    /// Joining, leaving, publishing and presence.
    pub rooms: Arc<Rooms>,
    /// Access-token verification.
    pub verifier: Arc<TokenVerifier>,
    /// Single-use SSE tickets.
    pub tickets: Arc<Tickets>,
    /// Connection and message limits.
    pub limits: Limits,
    /// Open WebSocket and SSE connections.
    pub connections: ConnectionLimit,
    /// Whether shutdown has begun, and the connections to wait for.
    pub shutdown: Shutdown,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}
