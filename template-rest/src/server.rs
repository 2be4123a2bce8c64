//! Serving: bind, accept, and shut down gracefully on SIGTERM or SIGINT.

use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::app::{self, StartupError};
use crate::config::Config;
use crate::http;
use crate::state::ShutdownSignal;

/// Starts the service described by `config` and runs it until a shutdown signal.
///
/// # Errors
/// Startup failures; see [`StartupError`].
pub async fn run(config: Config) -> Result<(), StartupError> {
    let pool = app::connect(&config)?;
    let state = app::prepare(&config, pool.clone()).await?;
    let listener = TcpListener::bind(config.bind_address()).await?;
    log_address(&listener);
    let signals = ShutdownSignals::install()?;
    let shutdown = state.shutdown.clone();
    let served = axum::serve(listener, http::router(state))
        .with_graceful_shutdown(wait_for_signal(signals, shutdown))
        .await;
    pool.close().await;
    Ok(served?)
}

fn log_address(listener: &TcpListener) {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "listening");
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C), after marking the service as draining.
#[expect(clippy::cognitive_complexity, reason = "the lint counts the expansion of tokio::select!")]
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
