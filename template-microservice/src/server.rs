//! Running the service from `main`: connect, start, and shut down gracefully on SIGTERM or
//! SIGINT.

use tokio::signal::unix::{SignalKind, signal};

use crate::app::{self, StartupError};
use crate::config::Config;
use crate::repositories::pool;

/// Starts the service described by `config` and runs it until a shutdown signal.
///
/// # Errors
/// Startup failures; see [`StartupError`].
pub async fn run(config: Config) -> Result<(), StartupError> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let pool = pool::connect(&config.database)?;
    let running = app::start(&config, pool.clone()).await?;
    let stopper = running.stopper();
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutdown signal received");
        stopper.cancel();
    });
    running.wait().await;
    pool.close().await;
    Ok(())
}
