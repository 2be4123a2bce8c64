//! Where `/metrics` is served, read into the HTTP layer's [`MetricsSettings`].

use super::raw::positive;
use super::{ConfigError, RawConfig};
use crate::http::metrics::MetricsSettings;

/// Reads `METRICS_PORT` (default none: `/metrics` is on the public port).
pub(super) fn from_raw(raw: &RawConfig) -> Result<MetricsSettings, ConfigError> {
    let port = raw.metrics_port.map(|port| positive("METRICS_PORT", port)).transpose()?;
    Ok(MetricsSettings { port })
}
