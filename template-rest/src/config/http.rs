//! The HTTP layer's limits, read into [`HttpSettings`]: timeouts, connection and concurrency
//! caps, the body size, CORS, HSTS and the metrics port. Every limit has a safe default.

use std::time::Duration;

use super::raw::{MIB, positive, secs};
use super::{ConfigError, RawConfig, metrics};
use crate::http::HttpSettings;
use crate::http::serve::ServeSettings;

/// Reads `REQUEST_TIMEOUT_SECS` (30), the accept loop's variables (see [`serve_settings`]),
/// `CONCURRENCY_LIMIT` (512), `BODY_LIMIT_BYTES` (1 MiB), `METRICS_PORT` (none),
/// `CORS_ALLOWED_ORIGINS` (none) and `HSTS_MAX_AGE_SECS` (none).
pub(super) fn from_raw(raw: &RawConfig) -> Result<HttpSettings, ConfigError> {
    Ok(HttpSettings {
        request_timeout: secs("REQUEST_TIMEOUT_SECS", raw.request_timeout_secs, 30)?,
        serve: serve_settings(raw)?,
        concurrency_limit: positive("CONCURRENCY_LIMIT", raw.concurrency_limit.unwrap_or(512))?,
        body_limit_bytes: positive("BODY_LIMIT_BYTES", raw.body_limit_bytes.unwrap_or(MIB))?,
        metrics: metrics::from_raw(raw)?,
        cors_allowed_origins: origins(raw.cors_allowed_origins.as_deref())?,
        hsts_max_age: raw.hsts_max_age_secs.filter(|secs| *secs > 0).map(Duration::from_secs),
    })
}

/// The accept loop's limits: the request-head timeout (`HEADER_READ_TIMEOUT_SECS`, default 10),
/// the write timeout (`WRITE_TIMEOUT_SECS`, default 30), the drain after SIGTERM
/// (`SHUTDOWN_TIMEOUT_SECS`, default 25) and the open connections
/// (`MAX_CONNECTIONS`, default 10000).
fn serve_settings(raw: &RawConfig) -> Result<ServeSettings, ConfigError> {
    Ok(ServeSettings {
        header_read_timeout: secs("HEADER_READ_TIMEOUT_SECS", raw.header_read_timeout_secs, 10)?,
        write_timeout: secs("WRITE_TIMEOUT_SECS", raw.write_timeout_secs, 30)?,
        shutdown_timeout: secs("SHUTDOWN_TIMEOUT_SECS", raw.shutdown_timeout_secs, 25)?,
        max_connections: positive("MAX_CONNECTIONS", raw.max_connections.unwrap_or(10_000))?,
    })
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
