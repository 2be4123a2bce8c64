//! The background purge of refresh tokens that can no longer be used: expired, or revoked,
//! longer ago than the retention. Without it the table grows with every login and refresh.
//!
//! Every replica runs it; the deletes are idempotent, so replicas need no coordination.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::MissedTickBehavior;

use super::auth::AuthService;

/// When refresh tokens that can no longer be used are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshTokenPurge {
    /// How often the purge runs (`REFRESH_TOKEN_PURGE_INTERVAL_SECS`, default 1 hour).
    pub(crate) interval: Duration,
    /// How long a token is kept after it expired or was revoked (`REFRESH_TOKEN_RETENTION_SECS`,
    /// default 7 days). While it is kept, presenting a revoked token revokes its whole family
    /// (reuse detection); once purged, it is merely unknown.
    pub retention: Duration,
}

/// Purges at once, then every `interval`, until the task is aborted. A failure is logged and
/// the purge tried again at the next tick.
#[must_use = "abort the task at shutdown"]
pub(crate) fn spawn(
    auth: Arc<AuthService>,
    settings: RefreshTokenPurge,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(settings.interval);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match auth.purge_refresh_tokens(settings.retention).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged ended refresh tokens"),
                Err(error) => tracing::warn!(%error, "refresh-token purge failed"),
            }
        }
    })
}
