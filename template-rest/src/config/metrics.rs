//! Where `/metrics` is served: on the public port by default, or on a port of its own.

use super::raw::positive;
use super::{ConfigError, RawConfig};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MetricsConfig {
    /// A separate port for `/metrics` (`METRICS_PORT`, default none: `/metrics` is on the
    /// public port). When set, the public listener answers `/metrics` with 404, so the port can
    /// stay on a private network that only the scraper reaches.
    pub(crate) port: Option<u16>,
}

impl MetricsConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let port = raw.metrics_port.map(|port| positive("METRICS_PORT", port)).transpose()?;
        Ok(Self { port })
    }
}
