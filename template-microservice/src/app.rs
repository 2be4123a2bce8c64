//! Startup wiring: the pool, migrations, the broker, the inventory client, the services,
//! `AppState` and the workers, put together once. Serving them and stopping them in order is
//! `server.rs`.

use std::sync::Arc;

use sqlx::PgPool;

use crate::config::Config;
use crate::messaging::consumer::PaymentConsumer;
use crate::messaging::nats::NatsTransport;
use crate::messaging::rpc::OrdersResponder;
use crate::outbound::inventory;
use crate::outbound::jwks::HttpKeySetFetcher;
use crate::outbox::Relay;
use crate::repositories::orders::PgOrders;
use crate::repositories::outbox::PgOutbox;
use crate::repositories::pool::{self, PoolHealth};
use crate::repositories::releases::PgReleases;
use crate::services::orders::OrderService;
use crate::services::rate_limit::InMemoryRateLimiter;
use crate::services::releases::ReleaseWorker;
use crate::services::tokens::TokenVerifier;
use crate::services::{OutboxSignal, ReleaseSignal};
use crate::state::{AppState, BacklogCache, Readiness, ShutdownSignal};
use crate::telemetry;
use crate::workers::WorkerParts;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database URL is malformed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// NATS is unreachable or refused the streams.
    #[error("NATS: {0}")]
    Broker(#[from] crate::messaging::TransportError),
    /// A key or a client setting is unusable.
    #[error("setup: {0}")]
    Setup(String),
    /// The listener could not be bound.
    #[error("listen: {0}")]
    Io(#[from] std::io::Error),
}

/// What startup wiring produces: the state handlers reach, the background work ready to
/// start, and the broker connection that shutdown closes last.
pub(crate) struct App {
    pub(crate) state: AppState,
    pub(crate) workers: WorkerParts,
    pub(crate) transport: Arc<NatsTransport>,
}

/// Opens the database pool described by `config`; nothing connects until first use.
///
/// # Errors
/// Fails when the database URL is malformed.
pub(crate) fn connect(config: &Config) -> Result<PgPool, StartupError> {
    Ok(pool::connect(&config.database)?)
}

/// Wires an instance on `pool`: migrates, connects to NATS, builds the inventory client and
/// the services, the state handlers reach (readiness reports `shutdown`) and the workers.
///
/// # Errors
/// See [`StartupError`].
pub(crate) async fn wire(
    config: &Config,
    pool: PgPool,
    shutdown: ShutdownSignal,
) -> Result<App, StartupError> {
    pool::migrate(&pool).await?;
    let parts = Components::connect(config, pool.clone()).await?;
    let state = parts.state(config, pool, shutdown);
    let workers = parts.workers(config);
    Ok(App { state, workers, transport: parts.transport })
}

/// The long-lived parts an instance is made of.
struct Components {
    transport: Arc<NatsTransport>,
    inventory: inventory::HttpInventory,
    orders: Arc<OrderService>,
    outbox: Arc<PgOutbox>,
    signal: OutboxSignal,
    tokens: Arc<TokenVerifier>,
    releases: Arc<ReleaseWorker>,
}

impl Components {
    /// Installs the metrics recorder (before the breaker registers its metrics), builds the
    /// token verifier (fetching the issuer's key set, if configured), connects to NATS, and
    /// builds the inventory client and the order service.
    async fn connect(config: &Config, pool: PgPool) -> Result<Self, StartupError> {
        telemetry::metrics();
        let tokens = TokenVerifier::new(&config.jwt, Arc::new(HttpKeySetFetcher::default()))
            .await
            .map_err(|error| StartupError::Setup(error.to_string()))?;
        let messaging = &config.messaging;
        let transport = Arc::new(NatsTransport::connect(&messaging.nats).await?);
        let inventory = inventory::HttpInventory::new(&config.inventory)
            .map_err(|error| StartupError::Setup(error.to_string()))?;
        let (signal, release_signal) = (OutboxSignal::default(), ReleaseSignal::default());
        let orders = Arc::new(OrderService::new(
            Arc::new(PgOrders::new(pool.clone())),
            Arc::new(inventory.clone()),
            signal.clone(),
            release_signal.clone(),
        ));
        let releases = Arc::new(ReleaseWorker::new(
            Arc::new(PgReleases::new(pool.clone())),
            Arc::new(inventory.clone()),
            release_signal,
            config.releases,
        ));
        let outbox = Arc::new(PgOutbox::new(pool::side_pool(&pool, 2)));
        let tokens = Arc::new(tokens);
        Ok(Self { transport, inventory, orders, outbox, signal, tokens, releases })
    }

    /// What handlers reach.
    fn state(&self, config: &Config, pool: PgPool, shutdown: ShutdownSignal) -> AppState {
        AppState {
            orders: Arc::clone(&self.orders),
            order_limit: Arc::new(InMemoryRateLimiter::new(config.server.order_rate_limit)),
            tokens: Arc::clone(&self.tokens),
            readiness: Arc::new(Readiness {
                database: Arc::new(PoolHealth::new(pool)),
                broker: self.transport.clone(),
                breakers: vec![self.inventory.breaker_status()],
                shutdown,
            }),
            backlog: Arc::new(BacklogCache::new(self.outbox.clone(), config.server.metrics_cache)),
            metrics: telemetry::metrics(),
        }
    }

    fn workers(&self, config: &Config) -> WorkerParts {
        let messaging = &config.messaging;
        let relay = Relay::new(
            self.outbox.clone(),
            self.transport.clone(),
            self.signal.clone(),
            messaging.relay,
        );
        let consumer = PaymentConsumer::new(
            self.transport.clone(),
            Arc::clone(&self.orders),
            messaging.consumer.clone(),
        );
        let watcher = self.inventory.watch_breaker();
        WorkerParts {
            relay: Arc::new(relay),
            consumer: Arc::new(consumer),
            responder: Arc::new(OrdersResponder::new(
                Arc::clone(&self.orders),
                messaging.rpc_timeout,
            )),
            transport: self.transport.clone(),
            releases: Arc::clone(&self.releases),
            watcher: tokio::spawn(watcher),
        }
    }
}
