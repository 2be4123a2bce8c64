//! `AppState`: everything a handler can reach, wired once at startup and cloned per request.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use super::HttpSettings;
use crate::auth::TokenVerifier;
use crate::connections::ConnectionLimit;
use crate::rooms::Rooms;
use crate::session::SessionSettings;
use crate::shutdown::Shutdown;
use crate::tickets::Tickets;
use crate::users::UserLimits;

/// Shared application state. Cloning is cheap: every field is reference-counted or small.
#[derive(Clone)]
pub struct AppState {
    /// Joining, leaving, publishing and presence.
    pub rooms: Arc<Rooms>,
    /// Connections per user (the publish rate is counted by `rooms`).
    pub(crate) users: UserLimits,
    pub(crate) verifier: Arc<TokenVerifier>,
    pub(crate) tickets: Arc<Tickets>,
    /// The limits of a WebSocket session.
    pub(crate) session: SessionSettings,
    /// Body size, SSE keep-alive, serving and draining.
    pub(crate) http: HttpSettings,
    /// Open WebSocket and SSE connections.
    pub connections: ConnectionLimit,
    /// Whether shutdown has begun, and the connections to wait for.
    pub shutdown: Shutdown,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}
