//! Tests of the whole service against the real PostgreSQL and a NATS server with JetStream
//! started for each test, with an `inventory` HTTP server whose failures each test controls.
//!
//! Each test gets a fresh database (dropped afterwards) and its own `nats-server` process on
//! a free port, so that tests never share a stream, a consumer or a queue group, and a test
//! may stop and restart its broker. Run with `cargo test`; needs `nats-server` on the `PATH`
//! (or in `NATS_SERVER_BIN`) and PostgreSQL at `DATABASE_URL`.

use template_microservice as service;

/// The service binary, for the tests that run it as a process.
const BINARY: &str = env!("CARGO_BIN_EXE_template-microservice");

mod breaker;
mod consumer;
mod events;
mod health;
mod jwks;
mod labels;
mod limits;
mod orders;
mod outbox;
mod process;
mod releases;
mod rpc;
mod scrape;
mod settle;
mod support;
