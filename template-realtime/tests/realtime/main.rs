//! The service end to end: real nodes on loopback ports, real WebSocket, HTTP and SSE
//! clients, and (in `e2e`) the demo page in headless Chromium. Run with `cargo test`.

use template_realtime as service;

/// The service binary, built by cargo for these tests.
const BINARY: &str = env!("CARGO_BIN_EXE_template-realtime");

mod auth;
mod client;
mod cluster;
mod e2e;
mod expiry;
mod flood;
mod history;
mod hot_room;
mod http;
mod jwks;
mod lifecycle;
mod limits;
mod policy;
mod protocol;
mod routes;
mod slow;
mod sse;
mod support;
mod tickets;
mod users;
