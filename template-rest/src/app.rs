//! Startup: connect, migrate, seed the administrator, wire the services, and serve.

use std::sync::Arc;

use crate::config::Config;
use crate::repositories::pool::{self, DbPool, PoolHealth, PoolSettings};
use crate::repositories::refresh_tokens::SqlRefreshTokenRepository;
use crate::repositories::users::SqlUserRepository;
use crate::services::auth::{AuthDependencies, AuthService};
use crate::services::passwords::{HashCost, PasswordHasher};
use crate::services::tokens::TokenCodec;
use crate::services::users::UserService;
use crate::state::{AppState, ShutdownSignal};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is invalid.
    #[error("configuration error: {0}")]
    Config(#[from] crate::config::ConfigError),
    /// The database URL is malformed.
    #[error("cannot use DATABASE_URL: {0}")]
    Database(#[source] sqlx::Error),
    /// A migration failed, or the database is unreachable.
    #[error("cannot migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A JWT key cannot be used.
    #[error("cannot use the JWT keys: {0}")]
    Keys(#[from] jsonwebtoken::errors::Error),
    /// The password hashing parameters are invalid.
    #[error("invalid password hashing parameters: {0}")]
    Hashing(argon2::Error),
    /// The administrator could not be created.
    #[error("cannot create the administrator: {0}")]
    Seed(#[source] crate::error::AppError),
    /// The listener could not bind or serve.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database pool described by `config`.
///
/// # Errors
/// Fails when `DATABASE_URL` is malformed.
pub fn connect(config: &Config) -> Result<DbPool, StartupError> {
    let settings = PoolSettings {
        url: config.database_url.clone(),
        max_connections: config.database_max_connections,
        acquire_timeout: config.database_acquire_timeout,
        statement_timeout: config.database_statement_timeout,
    };
    pool::connect(&settings).map_err(StartupError::Database)
}

/// Migrates the database, wires the services over `pool`, and seeds the administrator.
///
/// # Errors
/// Fails on migration, key or seeding errors.
pub async fn prepare(config: &Config, pool: DbPool) -> Result<AppState, StartupError> {
    pool::migrate(&pool).await?;
    let state = wire(config, pool, HashCost::OWASP)?;
    if let Some(seed) = &config.admin {
        state.auth.ensure_admin(seed).await.map_err(StartupError::Seed)?;
    }
    Ok(state)
}

/// Builds the state over `pool` without touching the database.
///
/// # Errors
/// Fails when the JWT keys or hashing parameters are unusable.
pub fn wire(config: &Config, pool: DbPool, cost: HashCost) -> Result<AppState, StartupError> {
    let codec = Arc::new(TokenCodec::new(&config.jwt)?);
    let hasher = PasswordHasher::new(cost, config.password_hash_concurrency)
        .map_err(StartupError::Hashing)?;
    let users = Arc::new(SqlUserRepository::new(pool.clone()));
    let dependencies = AuthDependencies {
        users: users.clone(),
        refresh_tokens: Arc::new(SqlRefreshTokenRepository::new(pool.clone())),
        hasher: hasher.clone(),
        codec: codec.clone(),
    };
    Ok(AppState {
        auth: Arc::new(AuthService::new(dependencies, config.jwt.refresh_ttl)),
        users: Arc::new(UserService::new(users, hasher)),
        codec,
        health: Arc::new(PoolHealth::new(pool)),
        shutdown: ShutdownSignal::default(),
    })
}
