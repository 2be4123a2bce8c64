//! HTTP tests of the whole service, through the router, against a real database.
//!
//! Each `#[sqlx::test]` gets a fresh, migrated database. Run with `cargo test`.

use template_rest as service;

mod auth;
mod errors;
mod health;
mod openapi;
mod password;
mod security;
mod support;
mod users;
