//! Wiring: migrations, the broker, the inventory client, services, `AppState`, the workers
//! and the HTTP server, and the graceful shutdown that stops them in order.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, ServerConfig};
use crate::http::serve::ServeSettings;
use crate::messaging::Transport;
use crate::messaging::consumer::PaymentConsumer;
use crate::messaging::nats::NatsTransport;
use crate::messaging::relay::Relay;
use crate::messaging::rpc::OrdersResponder;
use crate::outbound::{breaker, inventory};
use crate::repositories::orders::PgOrders;
use crate::repositories::outbox::PgOutbox;
use crate::repositories::pool::{self, PoolHealth};
use crate::services::OutboxSignal;
use crate::services::orders::OrderService;
use crate::services::tokens::TokenVerifier;
use crate::state::{AppState, Readiness, ShutdownSignal};
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
    let metrics = telemetry::metrics();
    let transport = Arc::new(
        NatsTransport::connect(&config.messaging.nats_url, &config.messaging.consumer).await?,
    );
    let inventory = inventory::HttpInventory::new(&config.inventory)
        .map_err(|error| StartupError::Setup(error.to_string()))?;
    let tokens =
        TokenVerifier::new(&config.jwt).map_err(|error| StartupError::Setup(error.to_string()))?;
    let signal = OutboxSignal::default();
    let orders = Arc::new(OrderService::new(
        Arc::new(PgOrders::new(pool.clone())),
        Arc::new(inventory.clone()),
        signal.clone(),
    ));
    let outbox = Arc::new(PgOutbox::new(pool.clone()));
    let shutdown = ShutdownSignal::default();
    let state = AppState {
        orders: Arc::clone(&orders),
        tokens: Arc::new(tokens),
        readiness: Arc::new(Readiness {
            database: Arc::new(PoolHealth::new(pool)),
            broker: transport.clone(),
            breakers: vec![(inventory::BREAKER_NAME, inventory.breaker())],
            shutdown: shutdown.clone(),
        }),
        outbox: outbox.clone(),
        metrics,
    };
    let workers_stop = CancellationToken::new();
    let parts = WorkerParts {
        relay: Arc::new(Relay::new(outbox, transport.clone(), signal, config.messaging.relay)),
        consumer: Arc::new(PaymentConsumer::new(
            transport.clone(),
            Arc::clone(&orders),
            config.messaging.consumer.clone(),
        )),
        responder: Arc::new(OrdersResponder::new(orders, config.messaging.rpc_timeout)),
        transport: transport.clone(),
        watcher: tokio::spawn(breaker::watch(
            inventory::BREAKER_NAME,
            inventory.breaker(),
            workers_stop,
        )),
    };
    let listener = TcpListener::bind(config.bind_address()).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");
    let stop = CancellationToken::new();
    let router = http::router(state, &config.server);
    let serving =
        Serving { listener, router, workers: Workers::spawn(parts), transport: transport.clone() };
    let done = tokio::spawn(serving.run(config.server, shutdown, stop.clone()));
    Ok(Running { address, transport, stop, done })
}

/// What runs until shutdown.
struct Serving {
    listener: TcpListener,
    router: axum::Router,
    workers: Workers,
    transport: Arc<NatsTransport>,
}

impl Serving {
    /// Serves until `stop`, then: not ready, stop inbound messages, drain HTTP, flush the
    /// outbox until the deadline, close the broker connection.
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
            workers.stop_inbound().await;
        };
        http::serve::serve(listener, router, settings, signal).await;
        let deadline = deadline.get().copied().unwrap_or_else(Instant::now);
        workers.stop_relay(deadline).await;
        Transport::close(transport.as_ref()).await;
        tracing::info!("stopped");
    }
}
