//! Wiring: migrations, the broker, the inventory client, services, `AppState`, the workers
//! and the HTTP server, and the graceful shutdown that stops them in order.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::http::ServerConfig;
use crate::http::serve::ServeSettings;
use crate::messaging::Broker;
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
use crate::resilient_client::breaker;
use crate::services::orders::OrderService;
use crate::services::rate_limit::InMemoryRateLimiter;
use crate::services::releases::ReleaseWorker;
use crate::services::tokens::TokenVerifier;
use crate::services::{OutboxSignal, ReleaseSignal};
use crate::state::{AppState, BacklogCache, Readiness, ShutdownSignal};
use crate::workers::{WorkerParts, Workers};
use crate::{http, telemetry};

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

/// A running instance.
pub struct Running {
    /// The address the HTTP server listens on.
    pub address: SocketAddr,
    /// The broker connection, for tools and tests that speak to it directly.
    pub transport: Arc<NatsTransport>,
    stop: CancellationToken,
    done: JoinHandle<()>,
}

impl Running {
    /// Starts the graceful shutdown and waits for its end.
    pub async fn shutdown(self) {
        self.stop.cancel();
        self.wait().await;
    }

    /// Waits until the instance has stopped.
    pub async fn wait(self) {
        if let Err(error) = self.done.await {
            tracing::error!(%error, "the service task failed");
        }
    }

    /// A token that starts the graceful shutdown when cancelled.
    #[must_use]
    pub fn stopper(&self) -> CancellationToken {
        self.stop.clone()
    }
}

/// Starts an instance on `pool`: migrates, connects to NATS, binds, starts the workers.
///
/// # Errors
/// See [`StartupError`].
pub async fn start(config: &Config, pool: PgPool) -> Result<Running, StartupError> {
    pool::migrate(&pool).await?;
    let parts = Components::connect(config, pool.clone()).await?;
    let shutdown = ShutdownSignal::default();
    let state = parts.state(config, pool, shutdown.clone());
    let workers = Workers::spawn(parts.workers(config));
    let listener = TcpListener::bind(config.bind_address()).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");
    let stop = CancellationToken::new();
    let router = http::router(state, &config.server);
    let transport = parts.transport;
    let serving = Serving { listener, router, workers, transport: transport.clone() };
    let done = tokio::spawn(serving.run(config.server, shutdown, stop.clone()));
    Ok(Running { address, transport, stop, done })
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

    /// The background work.
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
        let watcher = breaker::watch(inventory::BREAKER_NAME, self.inventory.breaker());
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

/// What runs until shutdown.
struct Serving {
    listener: TcpListener,
    router: axum::Router,
    workers: Workers,
    transport: Arc<NatsTransport>,
}

impl Serving {
    /// Serves until `stop`, then: not ready and no more pulls at once; HTTP requests in flight
    /// drain, then the messages in hand finish; the outbox is flushed until the deadline; the
    /// broker connection closes.
    async fn run(self, config: ServerConfig, shutdown: ShutdownSignal, stop: CancellationToken) {
        let Self { listener, router, mut workers, transport } = self;
        let settings = ServeSettings {
            header_read_timeout: config.header_read_timeout,
            shutdown_timeout: config.shutdown_timeout,
            max_connections: config.max_connections,
        };
        let deadline = std::sync::OnceLock::new();
        let signal = async {
            stop.cancelled().await;
            let _ = deadline.set(Instant::now() + config.shutdown_timeout);
            tracing::info!("shutting down: not ready, draining");
            shutdown.start_draining();
            workers.stop_pulling();
        };
        http::serve::serve(listener, router, settings, signal).await;
        workers.stop_inbound().await;
        let deadline = deadline.get().copied().unwrap_or_else(Instant::now);
        workers.stop_relay(deadline).await;
        Broker::close(transport.as_ref()).await;
        tracing::info!("stopped");
    }
}
