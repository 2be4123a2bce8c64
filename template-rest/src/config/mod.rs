//! Typed configuration, read once at startup from the environment (and an optional `.env`).
//!
//! Each component owns its settings type (`http::HttpSettings` with `http::serve::ServeSettings`,
//! `services::UploadSettings`, `ratelimit::LimitSettings`, `auth::TokenSettings`,
//! `auth::HashingSettings`, `repositories::pool::DatabaseConfig`, `telemetry::LogFormat`…);
//! this module only reads the environment into them, and `app.rs` and `server.rs` wire them.
//!
//! Every setting has a safe default except the secrets. Anything invalid stops startup with a
//! message that names the variable, so a bad deploy fails loudly instead of half-working.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use crate::auth::{HashingSettings, TokenSettings};
use crate::http::HttpSettings;
use crate::ratelimit::LimitSettings;
use crate::services::UploadSettings;
use crate::services::auth::RegistrationLimits;
use crate::services::purge::RefreshTokenPurge;
use crate::telemetry::LogFormat;

mod client_ip;
mod database;
mod hashing;
mod http;
mod jwt;
mod limit_store;
mod limits;
mod login;
mod metrics;
mod raw;
pub(crate) mod secrets;
mod uploads;

pub use crate::repositories::pool::DatabaseConfig;
pub use crate::services::AdminSeed;
pub(crate) use raw::RawConfig;

/// Why the configuration was rejected. The message always names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub(crate) variable: String,
    pub(crate) message: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &str, message: impl Into<String>) -> Self {
        Self { variable: variable.to_owned(), message: message.into() }
    }
}

/// Where the service runs; production refuses insecure shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Environment {
    /// Local work: a missing `JWT_SECRET` is generated at random, with a warning.
    Development,
    /// A real deployment: every secret must be given.
    Production,
}

/// The whole configuration of the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`HOST`, default `127.0.0.1`).
    pub(crate) host: IpAddr,
    /// Port to listen on (`PORT`, default `8080`).
    pub(crate) port: u16,
    /// The database (`DATABASE_*`).
    pub(crate) database: DatabaseConfig,
    /// Access tokens, the `auth` module's (`JWT_*`, `ACCESS_TOKEN_TTL_SECS`).
    pub(crate) tokens: TokenSettings,
    /// How long a refresh token lives, for the auth service (`REFRESH_TOKEN_TTL_SECS`).
    pub(crate) refresh_token_ttl: Duration,
    /// When ended refresh tokens are deleted (`REFRESH_TOKEN_PURGE_INTERVAL_SECS`,
    /// `REFRESH_TOKEN_RETENTION_SECS`).
    pub refresh_token_purge: RefreshTokenPurge,
    /// First administrator (`ADMIN_EMAIL`, `ADMIN_PASSWORD`).
    pub(crate) admin: Option<AdminSeed>,
    /// Log output (`LOG_FORMAT`: `pretty` or `json`).
    pub(crate) log_format: LogFormat,
    /// The HTTP layer: timeouts, connection and concurrency caps, body size, CORS, HSTS, and
    /// the metrics port (`*_TIMEOUT_SECS`, `MAX_CONNECTIONS`, `CONCURRENCY_LIMIT`,
    /// `BODY_LIMIT_BYTES`, `CORS_ALLOWED_ORIGINS`, `HSTS_MAX_AGE_SECS`, `METRICS_PORT`).
    pub http: HttpSettings,
    /// Avatar uploads (`UPLOAD_DIR`, `UPLOAD_LIMIT_BYTES`).
    pub uploads: UploadSettings,
    /// The rate limits and login throttles: per client IP on every route
    /// (`RATE_LIMIT_PER_SECOND` 50, `RATE_LIMIT_BURST` 100), login and password change
    /// (`LOGIN_*`), where they count (`RATE_LIMIT_STORE`, `REDIS_URL`, `RATE_LIMIT_REDIS_*`),
    /// and which `X-Forwarded-For` entries to trust (`TRUSTED_PROXIES`, `TRUSTED_PROXY_HOPS`).
    pub(crate) limits: LimitSettings,
    /// Registration's own limit (`REGISTER_RATE_LIMIT_*`).
    pub(crate) registration: RegistrationLimits,
    /// Password hashing threads and queue (`PASSWORD_HASH_*`).
    pub(crate) hashing: HashingSettings,
}

impl Config {
    /// Reads `.env` (when present) and the process environment.
    ///
    /// # Errors
    /// Returns the first invalid or missing variable.
    pub(crate) fn from_env() -> Result<Self, ConfigError> {
        // A missing `.env` is normal; a malformed one is not.
        if let Err(error) = dotenvy::dotenv()
            && !error.not_found()
        {
            return Err(ConfigError::new(".env", error.to_string()));
        }
        Self::from_source(None)
    }

    /// Builds the configuration from an explicit set of variables, ignoring the process
    /// environment. Tests use this to avoid touching global state.
    ///
    /// # Errors
    /// Returns the first invalid or missing variable.
    pub fn from_vars(vars: &[(&str, &str)]) -> Result<Self, ConfigError> {
        let map = vars.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned()));
        Self::from_source(Some(map.collect()))
    }

    #[must_use]
    pub(crate) fn bind_address(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::new(self.host, self.port)
    }

    fn from_source(vars: Option<HashMap<String, String>>) -> Result<Self, ConfigError> {
        let environment = config::Environment::default().source(vars);
        let raw: RawConfig = config::Config::builder()
            .add_source(environment)
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(describe_error)?;
        raw.validate()
    }
}

impl RawConfig {
    fn validate(self) -> Result<Config, ConfigError> {
        let environment = self.app_env.unwrap_or(Environment::Development);
        Ok(Config {
            host: parse_host(self.host.as_deref())?,
            port: self.port.unwrap_or(8080),
            database: database::from_raw(&self)?,
            tokens: jwt::tokens(&self, environment)?,
            refresh_token_ttl: jwt::refresh_token_ttl(&self)?,
            refresh_token_purge: jwt::refresh_token_purge(&self)?,
            admin: admin_seed(self.admin_email.clone(), self.admin_password.clone())?,
            log_format: self.log_format.unwrap_or(LogFormat::Pretty),
            http: http::from_raw(&self)?,
            uploads: uploads::from_raw(&self)?,
            limits: limits::from_raw(&self)?,
            registration: login::registration_limits(&self)?,
            hashing: hashing::from_raw(&self)?,
        })
    }
}

fn parse_host(host: Option<&str>) -> Result<IpAddr, ConfigError> {
    let host = host.unwrap_or("127.0.0.1");
    host.parse().map_err(|_| ConfigError::new("HOST", format!("`{host}` is not an IP address")))
}

fn admin_seed(
    email: Option<String>,
    password: Option<String>,
) -> Result<Option<AdminSeed>, ConfigError> {
    match (email, password) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::new("ADMIN_PASSWORD", "required with ADMIN_EMAIL")),
        (None, Some(_)) => Err(ConfigError::new("ADMIN_EMAIL", "required with ADMIN_PASSWORD")),
        (Some(email), Some(password)) => {
            if !email.contains('@') {
                return Err(ConfigError::new("ADMIN_EMAIL", "is not an email address"));
            }
            let length = u64::try_from(password.chars().count()).unwrap_or(u64::MAX);
            if length < crate::domain::user::PASSWORD_MIN_CHARS {
                return Err(ConfigError::new("ADMIN_PASSWORD", "must be at least 12 characters"));
            }
            secrets::check("ADMIN_PASSWORD", &password, secrets::PASSWORD)?;
            Ok(Some(AdminSeed { email, password }))
        }
    }
}

/// Turns the config crate's error into one that names the environment variable.
fn describe_error(error: config::ConfigError) -> ConfigError {
    match error {
        config::ConfigError::Type { key, unexpected, expected, .. } => {
            let variable = key.unwrap_or_default().to_uppercase();
            ConfigError::new(&variable, format!("expected {expected}, found {unexpected}"))
        }
        config::ConfigError::At { error, key, .. } => {
            let inner = describe_error(*error);
            let variable = key.map_or(inner.variable, |key| key.to_uppercase());
            ConfigError { variable, message: inner.message }
        }
        other => ConfigError::new("environment", other.to_string()),
    }
}

#[cfg(test)]
mod tests;
