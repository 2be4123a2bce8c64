//! A production REST service: users, argon2id passwords, JWT access tokens with rotating
//! refresh tokens, roles, validation, RFC 9457 errors, pagination and OpenAPI.
//!
//! The layout, from the outside in (see ARCHITECTURE.md):
//!
//! - [`server`] binds the listener and handles shutdown signals; [`app`] wires everything.
//! - [`http`] holds routes, extractors, handlers, DTOs; with [`problem`] and
//!   [`observability`], the only axum code.
//! - [`services`] hold the business rules and speak in [`domain`] types and [`problem::AppError`].
//! - [`problem`] is the error model and its problem+json responses, a folder that depends on
//!   nothing else in the crate, so it can be copied into another axum app (see its `MODULE.md`).
//! - [`observability`] is request ids, the span per request and request metrics, a folder that
//!   can be copied the same way.
//! - [`auth`] is JWT access tokens, the extractors that check them, and argon2id hashing on a
//!   bounded pool, a folder that can be copied the same way.
//! - [`repositories`] are the only module that knows SQL; services see them through traits.
//! - [`config`] reads and validates the environment; [`telemetry`] sets up logging.

#[cfg(not(feature = "openapi"))]
compile_error!("the routes describe themselves in OpenAPI: build with the `openapi` feature");

pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod events;
pub mod http;
pub mod observability;
pub mod problem;
pub mod ratelimit;
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
