//! Typed configuration, read once at startup from the environment (and an optional `.env`).
//!
//! Each component owns its settings type (`auth::JwtConfig`, `broker::BrokerConfig`,
//! `rooms::RoomsSettings`, `session::SessionSettings`, `http::HttpSettings`,
//! `tickets::TicketConfig`, `users::UserLimitsConfig`…); this module only reads the environment
//! into them, and `app.rs` wires them.
//!
//! Every setting has a safe default except the secrets. Anything invalid stops startup with a
//! message that names the variable, so a bad deploy fails loudly instead of half-working. The
//! names are shared with template-rest (`HOST`, `PORT`, `JWT_*`), so its tokens work here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use serde::Deserialize;

mod jwt;
mod limits;
mod policy;
pub(crate) mod raw;

pub use crate::settings::ConfigError;
pub(crate) use policy::{PolicyChoice, RawPolicy};
pub(crate) use raw::RawConfig;

use crate::auth::JwtConfig;
use crate::broker::{BrokerConfig, RawBrokerConfig, SHARED_USER_LIMITS};
use crate::http::HttpSettings;
use crate::rooms::RoomsSettings;
use crate::session::SessionSettings;
use crate::telemetry::LogFormat;
use crate::tickets::{RawTickets, TicketConfig};
use crate::users::{RawUserLimits, UserLimitsConfig};

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
    /// Token verification (`JWT_*`).
    pub jwt: JwtConfig,
    /// The broker that connects the nodes (`BROKER_PREFIX` and the broker's URL).
    pub broker: BrokerConfig,
    /// Rooms per node, outbound queues, history and presence (`MAX_ROOMS`, `OUTBOUND_QUEUE`,
    /// `HISTORY_*`, `PRESENCE_*`, `BROKER_PREFIX`).
    pub rooms: RoomsSettings,
    /// Frame size and rate, rooms per connection, heartbeats (`MAX_MESSAGE_BYTES`,
    /// `MESSAGE_RATE_*`, `MAX_ROOMS_PER_CONNECTION`, `HEARTBEAT_*`).
    pub(crate) session: SessionSettings,
    /// Body size, SSE keep-alive and timeouts (`MAX_MESSAGE_BYTES`, `SSE_KEEP_ALIVE_SECS`,
    /// `HEADER_READ_TIMEOUT_SECS`, `SHUTDOWN_TIMEOUT_SECS`).
    pub(crate) http: HttpSettings,
    /// WebSocket and SSE connections per node; past it, 503 (`MAX_CONNECTIONS`, 10000).
    pub(crate) max_connections: usize,
    /// Connections and publications per user (`USER_*`).
    pub(crate) users: UserLimitsConfig,
    /// Who may do what in which room (`ROOM_POLICY`).
    pub(crate) policy: PolicyChoice,
    /// Single-use SSE tickets (`SSE_TICKET_*`).
    pub(crate) tickets: TicketConfig,
    /// Log output (`LOG_FORMAT`: `pretty` or `json`).
    pub(crate) log_format: LogFormat,
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
    pub(crate) fn bind_address(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    fn from_source(vars: Option<HashMap<String, String>>) -> Result<Self, ConfigError> {
        let environment = config::Environment::default().source(vars);
        let built =
            config::Config::builder().add_source(environment).build().map_err(describe_error)?;
        let raw: RawConfig = built.clone().try_deserialize().map_err(describe_error)?;
        let components = Components {
            broker: built.clone().try_deserialize().map_err(describe_error)?,
            users: built.clone().try_deserialize().map_err(describe_error)?,
            policy: built.clone().try_deserialize().map_err(describe_error)?,
            tickets: built.try_deserialize().map_err(describe_error)?,
        };
        raw.validate(components)
    }
}

/// The variables of the components that own their settings, as read.
struct Components {
    broker: RawBrokerConfig,
    users: RawUserLimits,
    policy: RawPolicy,
    tickets: RawTickets,
}

impl RawConfig {
    fn validate(self, components: Components) -> Result<Config, ConfigError> {
        let environment = self.app_env.unwrap_or(Environment::Development);
        let rooms = limits::rooms(&self, raw::prefix(self.broker_prefix.as_deref())?)?;
        let options = rooms.broker_options();
        Ok(Config {
            host: parse_host(self.host.as_deref())?,
            port: self.port.unwrap_or(8080),
            jwt: JwtConfig::from_raw(&self, environment)?,
            broker: BrokerConfig::from_raw(components.broker, options)?,
            session: limits::session(&self)?,
            http: limits::http(&self)?,
            max_connections: limits::max_connections(&self)?,
            rooms,
            users: UserLimitsConfig::from_raw(&components.users, SHARED_USER_LIMITS)?,
            policy: PolicyChoice::from_raw(&components.policy)?,
            tickets: TicketConfig::from_raw(&components.tickets)?,
            log_format: self.log_format.unwrap_or(LogFormat::Pretty),
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
