//! Startup wiring: the hub, the broker, the token verifier and the state.

use std::sync::Arc;

use crate::auth::{KeyError, TokenVerifier};
use crate::broker;
use crate::config::Config;
use crate::connections::ConnectionLimit;
use crate::http::state::AppState;
use crate::rooms::{Broker, BrokerError, Hub, Rooms, RoomsParts};
use crate::shutdown::Shutdown;
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
pub(crate) async fn connect(config: &Config) -> Result<(Arc<Hub>, Arc<dyn Broker>), StartupError> {
    let hub = Arc::new(Hub::new(config.rooms.hub));
    let broker = broker::connect(&config.broker, hub.clone()).await?;
    Ok((hub, broker))
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
        settings: config.rooms.clone(),
        policy: config.policy.policy(),
        publish_rate: Arc::new(users.clone()),
    };
    Ok(AppState {
        rooms: Arc::new(Rooms::new(parts)),
        users,
        verifier: Arc::new(TokenVerifier::new(&config.jwt).await?),
        tickets: Arc::new(Tickets::new(config.tickets, config.users.max_connections)),
        session: config.session,
        http: config.http,
        connections: ConnectionLimit::new(config.max_connections),
        shutdown: Shutdown::default(),
        metrics: telemetry::metrics(),
    })
}
