//! Startup wiring: the hub, the broker, the token verifier and the state, and the background
//! task that keeps this node's presence entries alive.

use std::sync::Arc;

use crate::auth::{KeyError, TokenVerifier};
use crate::broker::{self, Broker, BrokerError};
use crate::config::Config;
use crate::connections::ConnectionLimit;
use crate::hub::{Hub, HubLimits};
use crate::rooms::{Rooms, RoomsParts};
use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::telemetry;
use crate::tickets::Tickets;
use crate::users::{MemoryUserStore, UserLimits, UserStore};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The broker cannot be reached or set up.
    #[error("cannot use the broker: {0}")]
    Broker(#[from] BrokerError),
    /// The JWT key cannot be used.
    #[error("cannot use the JWT key: {0}")]
    Keys(#[from] KeyError),
    /// The listener could not bind or serve.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Connects a new hub to the broker described by `config`.
///
/// # Errors
/// When the broker cannot be reached or set up.
pub async fn connect(config: &Config) -> Result<(Arc<Hub>, Arc<dyn Broker>), StartupError> {
    let hub = Arc::new(hub(config));
    let broker = broker::connect(&config.broker, hub.clone()).await?;
    Ok((hub, broker))
}

/// A hub with the limits of `config`.
#[must_use]
pub fn hub(config: &Config) -> Hub {
    Hub::new(HubLimits {
        presence_event_limit: config.limits.presence_event_limit,
        max_rooms: config.limits.max_rooms,
    })
}

/// Builds the state of a node over its hub and broker.
///
/// # Errors
/// When the JWT key is unusable, or the key set cannot be fetched.
pub async fn state(
    config: &Config,
    hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
) -> Result<AppState, StartupError> {
    let shared = match config.users.store {
        UserStore::Redis(limits) => crate::broker::user_store(&config.broker, limits),
        UserStore::Memory => None,
    };
    let store = shared.unwrap_or_else(|| Arc::new(MemoryUserStore::default()));
    let users = UserLimits::new(config.users, store);
    let parts = RoomsParts {
        hub,
        broker,
        history: config.limits.history,
        policy: config.policy.policy(),
        users,
    };
    Ok(AppState {
        rooms: Arc::new(Rooms::new(parts)),
        verifier: Arc::new(TokenVerifier::new(&config.jwt).await?),
        tickets: Arc::new(Tickets::new(config.tickets, config.users.max_connections)),
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
