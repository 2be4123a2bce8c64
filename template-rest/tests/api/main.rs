//! HTTP tests of the whole service, through the router, against a real database.
//!
//! Each `#[sqlx::test]` gets a fresh, migrated database. Run with `cargo test`.

#![allow(clippy::unwrap_used, reason = "test helpers, like tests, should fail loudly")]

use template_rest as service;

mod admins;
mod auth;
mod avatar_downloads;
mod avatars;
mod client_ip;
mod errors;
mod events;
mod faults;
mod hardening;
mod health;
mod jwks;
mod limits;
mod metrics;
mod observability;
mod openapi;
mod password;
mod process;
mod purge;
mod replicas;
mod security;
mod server;
#[cfg(feature = "redis")]
mod shared_limits;
mod support;
mod throttle;
mod users;
