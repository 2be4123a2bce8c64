//! `AppState`: everything a handler can reach, wired once at startup and cloned per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::TokenCodec;
use crate::ratelimit::{ClientIpPolicy, RateLimiter};
use crate::repositories::HealthCheck;
use crate::services::auth::AuthService;
use crate::services::avatars::AvatarService;
use crate::services::users::UserService;

/// Shared application state. Cloning is cheap: every field is reference-counted.
#[derive(Clone)]
pub struct AppState {
    /// Authentication rules.
    pub auth: Arc<AuthService>,
    pub(crate) users: Arc<UserService>,
    pub(crate) avatars: Arc<AvatarService>,
    /// Access-token verification, for the `CurrentUser` extractor.
    pub(crate) codec: Arc<TokenCodec>,
    /// Database probe, for readiness and pool metrics.
    pub(crate) health: Arc<dyn HealthCheck>,
    /// The per-client limit applied to every route.
    pub(crate) rate_limiter: Arc<dyn RateLimiter>,
    /// How to find the client's address behind proxies.
    pub(crate) client_ip: Arc<ClientIpPolicy>,
    /// Renders `/metrics`.
    pub(crate) metrics: PrometheusHandle,
    /// Whether shutdown has begun.
    pub shutdown: ShutdownSignal,
}

/// The `auth` module's extractors find the token verifier here.
impl FromRef<AppState> for Arc<TokenCodec> {
    fn from_ref(state: &AppState) -> Self {
        state.codec.clone()
    }
}

/// The `ratelimit` module's `ClientIp` extractor finds the proxy policy here.
impl FromRef<AppState> for Arc<ClientIpPolicy> {
    fn from_ref(state: &AppState) -> Self {
        state.client_ip.clone()
    }
}

/// Set once when shutdown begins; readiness reports it at once.
#[derive(Debug, Clone, Default)]
pub struct ShutdownSignal {
    draining: Arc<AtomicBool>,
}

impl ShutdownSignal {
    /// Marks the service as shutting down.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    #[must_use]
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}
