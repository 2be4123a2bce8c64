//! What the HTTP layer needs to know: the limits its middleware enforces, the response headers
//! it adds, where `/metrics` is served, and how the accept loop serves and drains connections.
//! Nothing here reads the environment: `config/` fills this struct.

use std::time::Duration;

use super::metrics::MetricsSettings;
use super::serve::ServeSettings;

/// The settings of the router, its middleware and the accept loop.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Longest a request may take before a 503 (`REQUEST_TIMEOUT_SECS`, default 30).
    pub(crate) request_timeout: Duration,
    /// Most requests handled at once; more get 503 at once (`CONCURRENCY_LIMIT`, default 512).
    pub(crate) concurrency_limit: usize,
    /// Largest request body (`BODY_LIMIT_BYTES`, default 1 MiB).
    pub(crate) body_limit_bytes: usize,
    /// Origins allowed by CORS (`CORS_ALLOWED_ORIGINS`, comma-separated; default none).
    pub(crate) cors_allowed_origins: Vec<String>,
    /// `Strict-Transport-Security` max-age (`HSTS_MAX_AGE_SECS`; default none).
    pub(crate) hsts_max_age: Option<Duration>,
    /// Where `/metrics` is served (`METRICS_PORT`).
    pub(crate) metrics: MetricsSettings,
    /// The accept loop: the longest a client may take to send its request headers
    /// (`HEADER_READ_TIMEOUT_SECS`, default 10: slow-header clients are disconnected), the
    /// longest a response may wait for the client to take more bytes (`WRITE_TIMEOUT_SECS`,
    /// default 30: a client that stops reading is disconnected and its slot freed), the longest
    /// in-flight requests may run after SIGTERM (`SHUTDOWN_TIMEOUT_SECS`, default 25), and the
    /// most open connections (`MAX_CONNECTIONS`, default 10000).
    pub(crate) serve: ServeSettings,
}
