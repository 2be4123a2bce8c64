//! The in-process broker, the zero-setup default for one node: the rooms module's
//! [`MemoryBroker`]. Generate the project with `broker=redis` or `broker=nats` to run several
//! processes.

use std::sync::Arc;

use serde::Deserialize;

use crate::rooms::{Broker, BrokerError, BrokerOptions, Hub, MemoryBroker};
use crate::settings::ConfigError;
use crate::users::{SharedLimits, UserLimitStore};

/// The broker's own variables: the in-process broker has none.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawBrokerConfig {}

/// How to run the in-process broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Settings shared by every broker.
    pub(crate) options: BrokerOptions,
}

impl BrokerConfig {
    #[expect(clippy::unnecessary_wraps, reason = "the other brokers' settings can be invalid")]
    pub(crate) fn from_raw(
        _raw: RawBrokerConfig,
        options: BrokerOptions,
    ) -> Result<Self, ConfigError> {
        Ok(Self { options })
    }
}

/// Whether this broker can hold the per-user limits of every node: `RATE_LIMIT_STORE=redis`
/// needs `broker=redis`.
pub(crate) const SHARED_USER_LIMITS: bool = false;

/// The per-user limits of every node: this broker holds none.
#[must_use]
pub(crate) fn user_store(
    _config: &BrokerConfig,
    _limits: SharedLimits,
) -> Option<Arc<dyn UserLimitStore>> {
    None
}

/// Starts the broker and delivers to `hub`.
///
/// # Errors
/// Never: nothing can be unreachable in memory.
pub async fn connect(config: &BrokerConfig, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
    Ok(MemoryBroker::start(&config.options, &hub))
}
