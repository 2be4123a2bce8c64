//! Typed configuration, read once at startup from the environment (and an optional `.env`).
//!
//! Every setting has a default except the token key: `JWT_SECRET` (the secret of the service
//! that issues the tokens, template-rest), `JWT_PUBLIC_KEY` or `JWT_JWKS_URL`. Anything invalid stops startup with a message that
//! names the variable.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::http::ServerConfig;
use crate::outbound::inventory::InventorySettings;
use crate::repositories::pool::DatabaseConfig;
use crate::services::releases::ReleaseConfig;
use crate::services::tokens::JwtConfig;

mod jwt;
mod messaging;
mod orders;
mod outbound;
mod raw;
mod server;

pub use crate::telemetry::LogFormat;
pub use messaging::MessagingConfig;
use raw::RawConfig;

/// Why the configuration was rejected. The message always names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub(crate) variable: String,
    /// What is wrong with it.
    pub(crate) message: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &str, message: impl Into<String>) -> Self {
        Self { variable: variable.to_owned(), message: message.into() }
    }
}

/// The whole configuration of the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`HOST`, default `127.0.0.1`).
    pub(crate) host: IpAddr,
    /// Port to listen on (`PORT`, default `8080`; 0 picks a free port).
    pub(crate) port: u16,
    /// The database (`DATABASE_*`).
    pub(crate) database: DatabaseConfig,
    /// NATS, the outbox relay, the consumer and request–reply (`NATS_URL`, `OUTBOX_*`,
    /// `CONSUMER_*`, `RPC_*`).
    pub messaging: MessagingConfig,
    /// The inventory client (`INVENTORY_*`).
    pub(crate) inventory: InventorySettings,
    /// Token verification (`JWT_*`).
    pub(crate) jwt: JwtConfig,
    /// Pending orders and the release of their stock (`PENDING_ORDER_TTL_SECS`,
    /// `RELEASE_POLL_INTERVAL_MS`).
    pub(crate) releases: ReleaseConfig,
    /// Log output (`LOG_FORMAT`: `pretty` or `json`).
    pub(crate) log_format: LogFormat,
    /// Server timeouts and limits (`REQUEST_TIMEOUT_SECS`, `SHUTDOWN_TIMEOUT_SECS`, …).
    pub(crate) server: ServerConfig,
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

    /// Builds the configuration from explicit variables, ignoring the process environment.
    ///
    /// # Errors
    /// Returns the first invalid or missing variable.
    pub fn from_vars(vars: &[(&str, &str)]) -> Result<Self, ConfigError> {
        let map = vars.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned()));
        Self::from_source(Some(map.collect()))
    }

    /// The socket address to bind.
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
        Ok(Config {
            host: parse_host(self.host.as_deref())?,
            port: self.port.unwrap_or(8080),
            database: DatabaseConfig::from_raw(&self)?,
            messaging: MessagingConfig::from_raw(&self)?,
            inventory: outbound::inventory(&self)?,
            jwt: JwtConfig::from_raw(&self)?,
            releases: ReleaseConfig::from_raw(&self)?,
            log_format: self.log_format.unwrap_or(LogFormat::Pretty),
            server: ServerConfig::from_raw(&self)?,
        })
    }
}

fn parse_host(host: Option<&str>) -> Result<IpAddr, ConfigError> {
    let host = host.unwrap_or("127.0.0.1");
    host.parse().map_err(|_| ConfigError::new("HOST", format!("`{host}` is not an IP address")))
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
