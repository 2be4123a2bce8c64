//! Pending orders and the release of their reservations.

use super::raw::{millis, secs};
use super::{ConfigError, RawConfig};
use crate::services::releases::ReleaseConfig;

impl ReleaseConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            pending_ttl: secs("PENDING_ORDER_TTL_SECS", raw.pending_order_ttl_secs, 900)?,
            poll_interval: millis("RELEASE_POLL_INTERVAL_MS", raw.release_poll_interval_ms, 1_000)?,
        })
    }
}
