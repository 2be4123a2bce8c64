//! HTTP tests of the whole service, through the router, against a real database.
//!
//! Each `#[sqlx::test]` gets a fresh, migrated database. Run with `cargo test`.

use template_rest as service;

mod auth;
mod avatars;
mod errors;
mod events;
mod hardening;
mod health;
mod limits;
mod openapi;
mod password;
mod security;
mod support;
mod users;
