//! WebSocket and SSE rooms with presence, history and recovery, fanned out across nodes
//! through a broker.
//!
//! The layout, from the outside in (see ARCHITECTURE.md):
//!
//! - [`server`] binds the listener and handles shutdown signals; [`app`] wires a node into an
//!   [`http::state::AppState`]; `connections` caps the open connections and `shutdown` tells
//!   them all to close.
//! - [`http`] holds the routes: the WebSocket upgrade, SSE, presence, publishing over HTTP,
//!   probes, metrics, the demo page, and problem+json errors.
//! - `session` serves one WebSocket connection; `protocol` is its JSON protocol, and
//!   renders what the rooms deliver into frames.
//! - [`rooms`] is the copyable module (its `MODULE.md`) that runs the rooms: what a
//!   connection can do whatever its transport ([`rooms::Rooms`], past a [`rooms::RoomPolicy`]
//!   and a [`rooms::PublishRate`]), the node's fan-out into bounded outboxes
//!   ([`rooms::Hub`]), the [`rooms::Broker`] trait with the in-process broker, and the plain
//!   types (room names, messages, presence). It uses nothing else of this crate.
//! - [`broker`] is the broker this project was generated with (`memory`, `redis` or `nats`),
//!   behind the module's trait; `users` holds the per-user limits, `rate` their token
//!   bucket.
//! - [`auth`] verifies tokens, `tickets` trades them for single-use SSE tickets; [`config`]
//!   reads the environment into each component's settings, whose shared error and checks are
//!   `settings`; `telemetry` sets up logs and metrics; `error` is the HTTP error model.
//!
//! What is `pub` is the rooms module's surface (a user who copies `src/rooms/` uses it) and
//! what the end-to-end tests in `tests/` wire a node with: [`config::Config`],
//! [`broker::connect`], [`app::state`], [`server::serve`], [`http::router`],
//! [`http::state::AppState`] and [`auth::TokenVerifier`], and [`start`]. Everything else is
//! `pub(crate)` or private, and `unreachable_pub` keeps it so.

#![warn(unreachable_pub)]

pub mod app;
pub mod auth;
pub mod broker;
pub mod config;
mod connections;
mod error;
pub mod http;
mod protocol;
mod rate;
pub mod rooms;
pub mod server;
mod session;
mod settings;
mod shutdown;
mod telemetry;
mod tickets;
mod users;

use std::process::ExitCode;
use std::time::Duration;

/// How long tasks still running after the drain may take to stop before the process exits.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(1);

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
    if config.jwt.is_ephemeral() {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret, so only the demo tokens below work. \
             Set JWT_SECRET (the one your token issuer uses) outside development."
        );
    }
    match run_to_completion(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn run_to_completion(config: config::Config) -> Result<(), app::StartupError> {
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(server::run(config));
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    result
}
