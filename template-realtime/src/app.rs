//! Startup wiring: the hub, the broker, the token verifier and the state, and the background
//! task that keeps this node's presence entries alive.

use std::sync::Arc;

use crate::auth::TokenVerifier;
use crate::broker::{self, Broker, BrokerError};
use crate::config::Config;
use crate::hub::Hub;
use crate::rooms::Rooms;
use crate::state::{AppState, ConnectionLimit, Shutdown};
use crate::telemetry;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is invalid.
    #[error("configuration error: {0}")]
    Config(#[from] crate::config::ConfigError),
    /// The broker cannot be reached or set up.
    #[error("cannot use the broker: {0}")]
    Broker(#[from] BrokerError),
    /// The JWT key cannot be used.
    #[error("cannot use the JWT key: {0}")]
    Keys(#[from] jsonwebtoken::errors::Error),
    /// The listener could not bind or serve.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Connects a new hub to the broker described by `config`.
///
/// # Errors
/// When the broker cannot be reached or set up.
pub async fn connect(config: &Config) -> Result<(Arc<Hub>, Arc<dyn Broker>), StartupError> {
    let hub = Arc::new(Hub::new(config.limits.presence_event_limit));
    let broker = broker::connect(&config.broker, hub.clone()).await?;
    Ok((hub, broker))
}

/// Builds the state of a node over its hub and broker.
///
/// # Errors
/// When the JWT key is unusable.
pub fn state(
    config: &Config,
    hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
) -> Result<AppState, StartupError> {
    Ok(AppState {
        rooms: Arc::new(Rooms::new(hub, broker, config.limits.history)),
        verifier: Arc::new(TokenVerifier::new(&config.jwt)?),
        limits: config.limits,
        connections: ConnectionLimit::new(config.limits.max_connections),
        shutdown: Shutdown::default(),
        metrics: telemetry::metrics(),
    })
}

/// Refreshes this node's presence entries three times per TTL, so that they expire only when
/// the node is gone.
#[must_use]
pub fn spawn_presence_refresh(state: &AppState) -> tokio::task::JoinHandle<()> {
    let rooms = state.rooms.clone();
    let period = state.limits.presence_ttl / 3;
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        loop {
            interval.tick().await;
            if let Err(error) = rooms.refresh_presence().await {
                telemetry::broker_error("refresh_presence", &error);
            }
        }
    })
}
