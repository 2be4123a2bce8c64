//! Serving and the graceful shutdown: the signals, the listener, the workers, and the order in
//! which they stop.
//!
//! On SIGTERM or SIGINT (or [`Running::shutdown`]): `/health/ready` turns 503 and the workers
//! stop pulling at once; HTTP requests in flight drain (bounded by `SHUTDOWN_TIMEOUT_SECS`),
//! then the messages in hand finish; the relay flushes committed events until the deadline; the
//! broker connection closes, then the pool.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::app::StartupError;

use crate::app;
use crate::config::Config;
use crate::http::serve::{self, ServeSettings};
use crate::http::{self, ServerConfig};
use crate::messaging::Broker;
use crate::messaging::nats::NatsTransport;
use crate::state::ShutdownSignal;
use crate::workers::Workers;

/// Starts the service described by `config` and runs it until a shutdown signal.
///
/// # Errors
/// Startup failures; see [`StartupError`].
pub(crate) async fn run(config: Config) -> Result<(), StartupError> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let pool = app::connect(&config)?;
    let running = start(&config, pool.clone()).await?;
    let stop = running.stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutdown signal received");
        stop.cancel();
    });
    running.wait().await;
    pool.close().await;
    Ok(())
}

/// A running instance.
pub struct Running {
    /// The address the HTTP server listens on.
    pub address: SocketAddr,
    stop: CancellationToken,
    done: JoinHandle<()>,
}

impl Running {
    /// Starts the graceful shutdown and waits for its end.
    pub async fn shutdown(self) {
        self.stop.cancel();
        self.wait().await;
    }

    async fn wait(self) {
        if let Err(error) = self.done.await {
            tracing::error!(%error, "the service task failed");
        }
    }
}

/// Starts an instance on `pool`: wires it (see `app`), binds the listener, starts the
/// workers and serves until [`Running::shutdown`].
///
/// # Errors
/// See [`StartupError`].
pub async fn start(config: &Config, pool: PgPool) -> Result<Running, StartupError> {
    let shutdown = ShutdownSignal::default();
    let app = app::wire(config, pool, shutdown.clone()).await?;
    let listener = TcpListener::bind(config.bind_address()).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");
    let serving = Serving {
        listener,
        router: http::router(app.state, &config.server),
        workers: Workers::spawn(app.workers),
        transport: app.transport,
    };
    let stop = CancellationToken::new();
    let done = tokio::spawn(serving.run(config.server, shutdown, stop.clone()));
    Ok(Running { address, stop, done })
}

/// What runs until shutdown.
struct Serving {
    listener: TcpListener,
    router: axum::Router,
    workers: Workers,
    transport: Arc<NatsTransport>,
}

impl Serving {
    /// Serves until `stop`, then stops in the order the module doc gives.
    async fn run(self, config: ServerConfig, shutdown: ShutdownSignal, stop: CancellationToken) {
        let Self { listener, router, mut workers, transport } = self;
        let settings = ServeSettings {
            header_read_timeout: config.header_read_timeout,
            shutdown_timeout: config.shutdown_timeout,
            max_connections: config.max_connections,
        };
        let deadline = OnceLock::new();
        let signal = async {
            stop.cancelled().await;
            let _ = deadline.set(Instant::now() + config.shutdown_timeout);
            tracing::info!("shutting down: not ready, draining");
            shutdown.start_draining();
            workers.stop_pulling();
        };
        serve::serve(listener, router, settings, signal).await;
        workers.stop_inbound().await;
        let deadline = deadline.get().copied().unwrap_or_else(Instant::now);
        workers.stop_relay(deadline).await;
        Broker::close(transport.as_ref()).await;
        tracing::info!("stopped");
    }
}
