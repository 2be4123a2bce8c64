//! Pending orders and the release of their reservations.

use std::time::Duration;

use super::raw::{millis, secs};
use super::{ConfigError, RawConfig};

/// How long orders may stay pending, and how the releases of their stock are delivered.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseConfig {
    /// Age at which a pending order is cancelled and its stock released
    /// (`PENDING_ORDER_TTL_SECS`, default 900).
    pub pending_ttl: Duration,
    /// Longest the release worker waits before looking for due releases and expired orders
    /// (`RELEASE_POLL_INTERVAL_MS`, default 1000); also the first retry delay, doubled per
    /// attempt up to five minutes.
    pub poll_interval: Duration,
}

impl ReleaseConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            pending_ttl: secs("PENDING_ORDER_TTL_SECS", raw.pending_order_ttl_secs, 900)?,
            poll_interval: millis("RELEASE_POLL_INTERVAL_MS", raw.release_poll_interval_ms, 1_000)?,
        })
    }
}
