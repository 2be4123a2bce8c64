//! An event-driven orders service: HTTP in, events out through a transactional outbox,
//! payment events in through an idempotent consumer, and a resilient client to the inventory
//! service.
//!
//! The layout, from the outside in (see ARCHITECTURE.md):
//!
//! - `app` wires everything at startup; [`server`] serves it and shuts it down gracefully
//!   on a signal; `workers` runs the background work and stops it in order.
//! - `http` is the only module that knows axum; [`messaging`] the only one that knows NATS
//!   (behind the [`outbox::Transport`] and `messaging::Broker` traits); [`repositories`]
//!   the only one that knows SQL; `outbound` calls the inventory service.
//! - [`outbox`] (the outbox relay and the idempotent consumer) and [`resilient_client`] (the
//!   HTTP client stack: timeout, retry, circuit breaker) are modules that depend on nothing
//!   else of this crate: each folder can be copied into another app (see its `MODULE.md`).
//! - [`services`] hold the business rules and speak in [`domain`] types and
//!   `error::AppError`.
//! - [`config`] reads and validates the environment into each component's settings;
//!   [`telemetry`] sets up logs and metrics; `state` is what handlers reach.

mod app;
pub mod config;
pub mod domain;
mod error;
mod http;
pub mod messaging;
#[cfg(feature = "otel")]
mod otel;
mod outbound;
pub mod outbox;
pub mod repositories;
pub mod resilient_client;
pub mod server;
pub mod services;
mod state;
pub mod telemetry;
mod workers;

use std::process::ExitCode;

/// Runs the service from the environment: the whole of `main`.
///
/// Configuration errors are printed plainly and exit with status 2; other startup failures
/// exit with status 1.
#[must_use]
pub fn start() -> ExitCode {
    let config = match config::Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let outcome = tokio::runtime::Runtime::new()
        .map_err(app::StartupError::from)
        .and_then(|runtime| runtime.block_on(server::run(config)));
    telemetry::shutdown();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
