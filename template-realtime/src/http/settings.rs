//! What the HTTP side needs to know besides the rooms: the largest body it reads, the SSE
//! keep-alive, and how connections are served and drained.

use std::time::Duration;

use super::serve::ServeSettings;

/// The settings of the routes and of the accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpSettings {
    /// Largest body of `POST /rooms/{room}/messages`, in bytes (`MAX_MESSAGE_BYTES`, the limit
    /// of a WebSocket frame too).
    pub(crate) max_body_bytes: usize,
    /// Interval of SSE keep-alive comments (`SSE_KEEP_ALIVE_SECS`, default 15).
    pub(crate) sse_keep_alive: Duration,
    /// The request-head timeout (`HEADER_READ_TIMEOUT_SECS`, 10) and the longest shutdown
    /// (`SHUTDOWN_TIMEOUT_SECS`, 10).
    pub(crate) serve: ServeSettings,
}
