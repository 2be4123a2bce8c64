//! The HTTP server's limits: timeouts, connection and concurrency caps, body sizes, rate
//! limits, trusted proxies, CORS and HSTS. Every limit has a safe default.

use std::path::PathBuf;
use std::time::Duration;

use super::login::RegistrationLimits;
use super::metrics::MetricsConfig;
use super::raw::{positive, rate, secs};
use super::{ConfigError, RawConfig, client_ip, limit_store, login};
use crate::ratelimit::{ClientIpPolicy, LimitStore, LoginLimits, RateLimit};

/// Server and request limits.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Longest a request may take before a 503 (`REQUEST_TIMEOUT_SECS`, default 30).
    pub(crate) request_timeout: Duration,
    /// Longest a client may take to send its request headers (`HEADER_READ_TIMEOUT_SECS`,
    /// default 10): slow-header clients are disconnected.
    pub(crate) header_read_timeout: Duration,
    /// Longest a response may wait for the client to take more bytes (`WRITE_TIMEOUT_SECS`,
    /// default 30): a client that stops reading is disconnected and its slot freed.
    pub(crate) write_timeout: Duration,
    /// Longest in-flight requests may run after SIGTERM (`SHUTDOWN_TIMEOUT_SECS`, default 25).
    pub(crate) shutdown_timeout: Duration,
    /// Most open connections (`MAX_CONNECTIONS`, default 10000).
    pub(crate) max_connections: usize,
    /// Most requests handled at once; more get 503 at once (`CONCURRENCY_LIMIT`, default 512).
    pub(crate) concurrency_limit: usize,
    /// Largest request body (`BODY_LIMIT_BYTES`, default 1 MiB).
    pub(crate) body_limit_bytes: usize,
    /// Largest avatar upload (`UPLOAD_LIMIT_BYTES`, default 5 MiB).
    pub(crate) upload_limit_bytes: usize,
    /// Where uploaded files are stored (`UPLOAD_DIR`, default `uploads`).
    pub upload_dir: PathBuf,
    /// Per client IP, on every route (`RATE_LIMIT_PER_SECOND` 50, `RATE_LIMIT_BURST` 100).
    pub(crate) rate_limit: RateLimit,
    /// Login and password-change throttling (`LOGIN_*`).
    pub(crate) login: LoginLimits,
    /// Registration's own limit (`REGISTER_RATE_LIMIT_*`).
    pub(crate) registration: RegistrationLimits,
    /// Where the rate limits and login throttles count (`RATE_LIMIT_STORE`, `REDIS_URL`,
    /// `RATE_LIMIT_REDIS_*`).
    pub(crate) limit_store: LimitStore,
    /// Which `X-Forwarded-For` entries to trust (`TRUSTED_PROXIES`, `TRUSTED_PROXY_HOPS`).
    pub(crate) client_ip: ClientIpPolicy,
    /// Where `/metrics` is served (`METRICS_PORT`).
    pub(crate) metrics: MetricsConfig,
    /// Origins allowed by CORS (`CORS_ALLOWED_ORIGINS`, comma-separated; default none).
    pub(crate) cors_allowed_origins: Vec<String>,
    /// `Strict-Transport-Security` max-age (`HSTS_MAX_AGE_SECS`; default none).
    pub(crate) hsts_max_age: Option<Duration>,
}

const MIB: usize = 1024 * 1024;

impl HttpConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            request_timeout: secs("REQUEST_TIMEOUT_SECS", raw.request_timeout_secs, 30)?,
            header_read_timeout: secs(
                "HEADER_READ_TIMEOUT_SECS",
                raw.header_read_timeout_secs,
                10,
            )?,
            write_timeout: secs("WRITE_TIMEOUT_SECS", raw.write_timeout_secs, 30)?,
            shutdown_timeout: secs("SHUTDOWN_TIMEOUT_SECS", raw.shutdown_timeout_secs, 25)?,
            max_connections: positive("MAX_CONNECTIONS", raw.max_connections.unwrap_or(10_000))?,
            concurrency_limit: positive("CONCURRENCY_LIMIT", raw.concurrency_limit.unwrap_or(512))?,
            body_limit_bytes: positive("BODY_LIMIT_BYTES", raw.body_limit_bytes.unwrap_or(MIB))?,
            upload_limit_bytes: positive(
                "UPLOAD_LIMIT_BYTES",
                raw.upload_limit_bytes.unwrap_or(5 * MIB),
            )?,
            upload_dir: PathBuf::from(raw.upload_dir.as_deref().unwrap_or("uploads")),
            rate_limit: rate(
                ("RATE_LIMIT_PER_SECOND", raw.rate_limit_per_second.unwrap_or(50)),
                ("RATE_LIMIT_BURST", raw.rate_limit_burst.unwrap_or(100)),
                1.0,
            )?,
            login: login::login_limits(raw)?,
            registration: RegistrationLimits::from_raw(raw)?,
            limit_store: limit_store::from_raw(raw)?,
            client_ip: client_ip::from_raw(raw)?,
            metrics: MetricsConfig::from_raw(raw)?,
            cors_allowed_origins: origins(raw.cors_allowed_origins.as_deref())?,
            hsts_max_age: raw.hsts_max_age_secs.filter(|secs| *secs > 0).map(Duration::from_secs),
        })
    }
}

/// Parses `https://a.example, https://b.example`; each must be an `http(s)://host[:port]`.
fn origins(list: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let entries = list.unwrap_or_default().split(',').map(str::trim);
    entries.filter(|entry| !entry.is_empty()).map(origin).collect()
}

fn origin(text: &str) -> Result<String, ConfigError> {
    let text = text.trim_end_matches('/');
    let authority = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match authority {
        Some(host) if !host.is_empty() && !host.contains(['/', '*', ' ']) => Ok(text.to_owned()),
        _ => Err(ConfigError::new(
            "CORS_ALLOWED_ORIGINS",
            format!("`{text}` is not an origin like https://app.example.com"),
        )),
    }
}
