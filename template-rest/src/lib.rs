//! A production REST service: users, argon2id passwords, JWT access tokens with rotating
//! refresh tokens, roles, validation, RFC 9457 errors, pagination and OpenAPI.
//!
//! The layout, from the outside in (see ARCHITECTURE.md):
//!
//! - `server` binds the listener and handles shutdown signals; [`app`] wires everything.
//! - [`http`] holds routes, extractors, handlers, DTOs; with [`problem`], [`auth`],
//!   [`ratelimit`] and [`observability`], the only axum code.
//! - [`services`] hold the business rules and speak in `domain` types and [`problem::AppError`].
//! - [`problem`] (the error model and its problem+json responses), [`auth`] (JWT access tokens,
//!   the extractors that check them, argon2id hashing on a bounded pool), [`ratelimit`] (limits
//!   per client address and per account) and [`observability`] (request ids, the span per
//!   request, request metrics) are folders that depend on nothing else in the crate: each can
//!   be copied into another axum app (see its `MODULE.md`).
//! - [`repositories`] are the only module that knows SQL; services see them through traits.
//! - [`config`] reads and validates the environment into the settings structs that the
//!   components own; `telemetry` sets up logging.
//!
//! What is `pub` is what a user of a copied module or the tests in `tests/` reach: the four
//! modules' surfaces, and the few entry points the end-to-end tests wire the service with
//! ([`app::wire`], [`http::router`], [`config::Config`], [`state::AppState`]…). Everything
//! else is `pub(crate)`, and `unreachable_pub` keeps it so.

#![warn(unreachable_pub)]

#[cfg(not(feature = "openapi"))]
compile_error!("the routes describe themselves in OpenAPI: build with the `openapi` feature");

pub mod app;
pub mod auth;
pub mod config;
mod domain;
pub mod events;
pub mod http;
pub mod observability;
pub mod problem;
pub mod ratelimit;
pub mod repositories;
mod server;
pub mod services;
pub mod state;
mod telemetry;

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
    if config.tokens.has_generated_secret() {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret. Tokens will not survive a restart. \
             Set JWT_SECRET (32+ random bytes) outside development."
        );
    }
}
