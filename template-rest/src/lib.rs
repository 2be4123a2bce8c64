//! A production REST service: users, argon2id passwords, JWT access tokens with rotating
//! refresh tokens, roles, validation, RFC 9457 errors, pagination and OpenAPI.
//!
//! The layout, from the outside in (see ARCHITECTURE.md):
//!
//! - [`server`] binds the listener and handles shutdown signals; [`app`] wires everything.
//! - [`http`] is the only module that knows axum: routes, extractors, handlers, DTOs.
//! - [`services`] hold the business rules and speak in [`domain`] types and [`error::AppError`].
//! - [`repositories`] are the only module that knows SQL; services see them through traits.
//! - [`config`] reads and validates the environment; [`telemetry`] sets up logging.

pub mod app;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod repositories;
pub mod server;
pub mod services;
pub mod state;
pub mod telemetry;

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
    warn_if_ephemeral_secret(&config);
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
    runtime.block_on(server::run(config))
}

fn warn_if_ephemeral_secret(config: &config::Config) {
    if config.jwt.has_generated_secret() {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret. Tokens will not survive a restart. \
             Set JWT_SECRET (32+ random bytes) outside development."
        );
    }
}
