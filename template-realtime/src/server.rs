//! Running a node: start, serve, and shut down gracefully on SIGTERM or SIGINT.
//!
//! On a signal, `/health/ready` turns 503 and new upgrades are refused at once, every
//! WebSocket session closes with 1001, SSE streams end, the listener stops accepting, the
//! connections drain (bounded by `SHUTDOWN_TIMEOUT_SECS`), the broker connection closes, and
//! `run` returns.

use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::app::{self, StartupError};
use crate::config::Config;
use crate::http;
use crate::http::state::AppState;
use crate::shutdown::Shutdown;

/// Starts the node described by `config` and runs it until a shutdown signal.
///
/// # Errors
/// Startup failures; see [`StartupError`].
pub(crate) async fn run(config: Config) -> Result<(), StartupError> {
    let (hub, broker) = app::connect(&config).await?;
    let state = app::state(&config, hub, broker).await?;
    let listener = TcpListener::bind(config.bind_address()).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");
    log_demo_links(&state, address);
    let signals = ShutdownSignals::install()?;
    tokio::spawn(wait_for_signal(signals, state.shutdown.clone()));
    serve(listener, state).await;
    tracing::info!("stopped");
    Ok(())
}

/// Serves `state` on `listener` until its shutdown begins, then drains and closes the broker.
pub async fn serve(listener: TcpListener, state: AppState) {
    let refresh = state.rooms.keep_presence_alive();
    let (settings, shutdown) = (state.http.serve, state.shutdown.clone());
    http::serve::serve(listener, http::router(state.clone()), settings, shutdown).await;
    refresh.abort();
    state.rooms.broker().close().await;
}

/// With a random development secret nobody else can sign tokens, so the log offers two.
fn log_demo_links(state: &AppState, address: std::net::SocketAddr) {
    for user in ["alice", "bob"] {
        if let Some(token) = state.verifier.demo_token(user) {
            tracing::info!("demo page for {user}: http://{address}/#token={token}");
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C), after starting the shutdown.
async fn wait_for_signal(mut signals: ShutdownSignals, shutdown: Shutdown) {
    tokio::select! {
        _ = signals.interrupt.recv() => {}
        _ = signals.terminate.recv() => {}
    }
    tracing::info!("shutdown signal received: draining");
    shutdown.start_draining();
}

/// The signals that start a graceful shutdown, installed before serving so that a failure to
/// install them stops startup instead of leaving a node that cannot be stopped cleanly.
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
