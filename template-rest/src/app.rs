//! Startup: connect, migrate, seed the administrator, wire the services, and serve.

use std::sync::Arc;

use crate::auth::{HashCost, HasherError, PasswordHasher, TokenCodec};
use crate::config::Config;
use crate::events::{EventBus, Subscriber};
use crate::observability;
use crate::ratelimit::{LimitFactory, LoginGuard, StoreError};
use crate::repositories::UserRepository;
use crate::repositories::pool::{self, DbPool, PoolHealth};
use crate::repositories::refresh_tokens::SqlRefreshTokenRepository;
use crate::repositories::storage::LocalStorage;
use crate::repositories::users::SqlUserRepository;
use crate::services::auth::AuthService;
use crate::services::avatars::AvatarService;
use crate::services::mail::{LoggingMailer, MailSubscriber};
use crate::services::users::UserService;
use crate::state::{AppState, ShutdownSignal};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database URL is malformed.
    #[error("cannot use DATABASE_URL: {0}")]
    Database(#[source] sqlx::Error),
    /// A migration failed, or the database is unreachable.
    #[error("cannot migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Password hashing cannot start.
    #[error("{0}")]
    Hashing(#[from] HasherError),
    /// The administrator could not be created.
    #[error("cannot create the administrator: {0}")]
    Seed(#[source] crate::problem::AppError),
    /// The rate-limit store cannot be used.
    #[error("cannot use REDIS_URL: {0}")]
    LimitStore(#[source] StoreError),
    /// The listener could not bind or serve.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database pool described by `config`.
///
/// # Errors
/// Fails when `DATABASE_URL` is malformed.
pub(crate) fn connect(config: &Config) -> Result<DbPool, StartupError> {
    pool::connect(&config.database).map_err(StartupError::Database)
}

/// What differs between production and tests when wiring the services.
pub struct Wiring {
    /// Argon2id cost.
    pub cost: HashCost,
    /// Receivers of domain events.
    pub subscribers: Vec<Arc<dyn Subscriber>>,
}

impl Wiring {
    /// OWASP hashing cost, and mail through the logging mailer.
    #[must_use]
    pub(crate) fn production() -> Self {
        let mail = MailSubscriber::new(Arc::new(LoggingMailer));
        Self { cost: HashCost::OWASP, subscribers: vec![Arc::new(mail)] }
    }
}

/// Migrates the database, wires the services over `pool`, and seeds the administrator.
///
/// # Errors
/// Fails on migration or seeding errors.
pub async fn prepare(config: &Config, pool: DbPool) -> Result<AppState, StartupError> {
    pool::migrate(&pool).await?;
    let state = wire(config, pool, Wiring::production())?;
    if let Some(seed) = &config.admin {
        state.auth.ensure_admin(seed).await.map_err(StartupError::Seed)?;
    }
    Ok(state)
}

/// Builds the state over `pool` without touching the database. Must run inside a Tokio
/// runtime: event subscribers get worker tasks.
///
/// # Errors
/// Fails when the hashing parameters or `REDIS_URL` are unusable.
pub fn wire(config: &Config, pool: DbPool, wiring: Wiring) -> Result<AppState, StartupError> {
    let codec = Arc::new(TokenCodec::new(&config.tokens));
    let hasher = PasswordHasher::new(wiring.cost, config.hashing)?;
    let users: Arc<dyn UserRepository> = Arc::new(SqlUserRepository::new(pool.clone()));
    let events = EventBus::start(wiring.subscribers);
    let limits = LimitFactory::new(&config.limits.store).map_err(StartupError::LimitStore)?;
    let guard = LoginGuard::new(&config.limits.login, &limits);
    let auth = AuthService::new(
        users.clone(),
        Arc::new(SqlRefreshTokenRepository::new(pool.clone())),
        hasher.clone(),
        codec.clone(),
        guard.clone(),
        limits.rate_limiter("register", config.registration.rate),
        events.clone(),
        config.refresh_token_ttl,
    );
    let storage = Arc::new(LocalStorage::new(config.uploads.dir.clone()));
    Ok(AppState {
        auth: Arc::new(auth),
        users: Arc::new(UserService::new(users.clone(), hasher, events, storage.clone(), guard)),
        avatars: Arc::new(AvatarService::new(users, storage, config.uploads.max_bytes)),
        codec,
        health: Arc::new(PoolHealth::new(pool)),
        rate_limiter: limits.rate_limiter("client", config.limits.per_client),
        client_ip: Arc::new(config.limits.client_ip.clone()),
        metrics: observability::install_recorder(),
        shutdown: ShutdownSignal::default(),
    })
}

/// Every minute, drops rate-limit state that no longer limits anyone, so memory stays
/// bounded however many clients come and go.
#[must_use = "abort the task at shutdown"]
pub(crate) fn spawn_maintenance(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_mins(1));
        loop {
            interval.tick().await;
            state.rate_limiter.purge();
            state.auth.purge_limits();
        }
    })
}
