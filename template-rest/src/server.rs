//! Running the service: start, serve, and shut down gracefully on SIGTERM or SIGINT.
//!
//! On a signal, `/health/ready` turns 503 at once, the listener stops accepting, requests in
//! flight finish (bounded by `SHUTDOWN_TIMEOUT_SECS`), the pool closes, and `run` returns.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::JoinHandle;

use crate::app::{self, StartupError};
use crate::config::Config;
use crate::http;
use crate::services::purge;
use crate::state::{AppState, ShutdownSignal};

/// Starts the service described by `config` and runs it until a shutdown signal.
///
/// # Errors
/// Startup failures; see [`StartupError`].
pub(crate) async fn run(config: Config) -> Result<(), StartupError> {
    let pool = app::connect(&config)?;
    let state = app::prepare(&config, pool.clone()).await?;
    let listener = bind(&config).await?;
    let signals = ShutdownSignals::install()?;
    let maintenance = app::spawn_maintenance(&state);
    let purge = purge::spawn(state.auth.clone(), config.refresh_token_purge);
    let metrics = serve_metrics(&config, &state).await?;
    let shutdown = wait_for_signal(signals, state.shutdown.clone());
    let router = http::router(state, &config.http);
    http::serve::serve(listener, router, config.http.serve, shutdown).await;
    maintenance.abort();
    purge.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn bind(config: &Config) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(config.bind_address()).await?;
    log_address(&listener, "listening");
    Ok(listener)
}

/// With `METRICS_PORT`, serves `/metrics` on that port, on the same host, until aborted.
async fn serve_metrics(
    config: &Config,
    state: &AppState,
) -> std::io::Result<Option<JoinHandle<()>>> {
    let Some(port) = config.http.metrics.port else { return Ok(None) };
    let listener = TcpListener::bind(SocketAddr::new(config.host, port)).await?;
    log_address(&listener, "serving metrics");
    let router = http::metrics::router(state.clone());
    let settings = config.http.serve;
    Ok(Some(tokio::spawn(http::serve::serve(listener, router, settings, std::future::pending()))))
}

fn log_address(listener: &TcpListener, message: &'static str) {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "{message}");
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C), after marking the service as draining.
async fn wait_for_signal(mut signals: ShutdownSignals, shutdown: ShutdownSignal) {
    tokio::select! {
        _ = signals.interrupt.recv() => {}
        _ = signals.terminate.recv() => {}
    }
    tracing::info!("shutdown signal received: draining");
    shutdown.start_draining();
}

/// The signals that start a graceful shutdown, installed before serving so that a failure to
/// install them stops startup instead of leaving a service that cannot be stopped cleanly.
struct ShutdownSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl ShutdownSignals {
    fn install() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }
}
