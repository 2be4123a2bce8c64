//! Per-user limits, shared by every transport: how many connections (WebSocket and SSE) one
//! user may hold on this node, and one publish rate per user, whether the messages arrive as
//! WebSocket frames (text or binary) or as `POST /rooms/{room}/messages`.
//!
//! Without them, one token holder multiplies the per-connection limits by opening more
//! connections, or publishes over HTTP without any limit at all. The counts live in a
//! [`UserLimitStore`]: [`MemoryUserStore`] keeps them in this process (the limits are then per
//! node) and forgets idle users. With `broker=redis` and `RATE_LIMIT_STORE=redis`, the broker's
//! Redis holds the publish rate for every node (the connection count stays per node).

mod memory;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

pub(crate) use memory::MemoryUserStore;

use crate::rate::RateLimit;
use crate::rooms::PublishRate;
use crate::settings::{ConfigError, positive};

/// The per-user limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserLimitsConfig {
    /// WebSocket and SSE connections one user may hold (`USER_MAX_CONNECTIONS`, default 16).
    pub(crate) max_connections: usize,
    /// Publications per user, all transports together (`USER_PUBLISH_RATE_PER_SECOND` 20,
    /// `USER_PUBLISH_BURST` 40).
    pub(crate) publish_rate: RateLimit,
    /// Where the publish rate counts (`RATE_LIMIT_STORE`, default `memory`).
    pub(crate) store: UserStore,
}

/// Where the per-user publish rate counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserStore {
    /// In this process: with N nodes a user may publish N times the rate.
    Memory,
    /// In the broker's Redis, one allowance for every node (`broker=redis` only).
    Redis(SharedLimits),
}

/// How a shared store is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SharedLimits {
    /// Longest one decision waits for Redis (`RATE_LIMIT_REDIS_TIMEOUT_MS`, default 50).
    pub(crate) timeout: Duration,
    /// Without an answer in time, decide with this node's own count (`RATE_LIMIT_REDIS_FAILURE`
    /// `open`, the default) rather than refuse (`closed`).
    pub(crate) fail_open: bool,
}

/// The variables of the per-user limits, as read.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawUserLimits {
    user_max_connections: Option<usize>,
    user_publish_rate_per_second: Option<u32>,
    user_publish_burst: Option<u32>,
    rate_limit_store: Option<String>,
    rate_limit_redis_timeout_ms: Option<u64>,
    rate_limit_redis_failure: Option<String>,
}

impl UserLimitsConfig {
    /// Validates the variables, with an error that names the one at fault.
    ///
    /// `shared_store` says whether the broker compiled in can hold the limits of every node
    /// (`RATE_LIMIT_STORE=redis`).
    ///
    /// # Errors
    /// A zero limit, or a store this project cannot use (`RATE_LIMIT_STORE`).
    pub(crate) fn from_raw(raw: &RawUserLimits, shared_store: bool) -> Result<Self, ConfigError> {
        let per_second = raw.user_publish_rate_per_second.unwrap_or(20);
        Ok(Self {
            max_connections: positive(
                "USER_MAX_CONNECTIONS",
                raw.user_max_connections.unwrap_or(16),
            )?,
            publish_rate: RateLimit {
                per_second: positive("USER_PUBLISH_RATE_PER_SECOND", per_second)?,
                burst: positive("USER_PUBLISH_BURST", raw.user_publish_burst.unwrap_or(40))?,
            },
            store: store(raw, shared_store)?,
        })
    }
}

fn store(raw: &RawUserLimits, shared_store: bool) -> Result<UserStore, ConfigError> {
    match raw.rate_limit_store.as_deref().unwrap_or("memory") {
        "memory" => Ok(UserStore::Memory),
        "redis" if shared_store => {
            let timeout = raw.rate_limit_redis_timeout_ms.unwrap_or(50);
            let fail_open = match raw.rate_limit_redis_failure.as_deref().unwrap_or("open") {
                "open" => true,
                "closed" => false,
                other => {
                    let message = format!("`{other}` is neither `open` nor `closed`");
                    return Err(ConfigError::new("RATE_LIMIT_REDIS_FAILURE", message));
                }
            };
            let timeout = Duration::from_millis(positive("RATE_LIMIT_REDIS_TIMEOUT_MS", timeout)?);
            Ok(UserStore::Redis(SharedLimits { timeout, fail_open }))
        }
        "redis" => Err(ConfigError::new(
            "RATE_LIMIT_STORE",
            "`redis` needs a project generated with broker=redis; use `memory`",
        )),
        other => Err(ConfigError::new(
            "RATE_LIMIT_STORE",
            format!("`{other}` is not a known store; use `memory` or `redis`"),
        )),
    }
}

/// What a store answers to a request for a connection slot or a publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Go ahead.
    Allowed,
    /// Over the limit; the request may succeed after this long.
    Refused {
        /// When to try again.
        retry_after: Duration,
    },
}

/// Where the per-user counts live.
#[async_trait::async_trait]
pub(crate) trait UserLimitStore: Send + Sync + 'static {
    /// Counts one more connection of `user`, unless it already holds `max`.
    async fn open(&self, user: &Arc<str>, max: usize) -> Verdict;

    /// Counts one connection of `user` fewer. Called when a connection ends, from `Drop`, so
    /// it must not wait: a remote store sends it in the background.
    fn close(&self, user: &Arc<str>);

    /// Takes one publication from the allowance of `user`.
    async fn take(&self, user: &Arc<str>, rate: RateLimit) -> Verdict;
}

/// The per-user limits over their store.
#[derive(Clone)]
pub(crate) struct UserLimits {
    store: Arc<dyn UserLimitStore>,
    config: UserLimitsConfig,
}

impl std::fmt::Debug for UserLimits {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("UserLimits").field("config", &self.config).finish_non_exhaustive()
    }
}

impl UserLimits {
    /// The limits of `config`, counted in `store`.
    #[must_use]
    pub(crate) fn new(config: UserLimitsConfig, store: Arc<dyn UserLimitStore>) -> Self {
        Self { store, config }
    }

    /// A connection slot for `user`, held until the returned guard drops.
    ///
    /// # Errors
    /// When the user already holds `USER_MAX_CONNECTIONS`, how long to wait.
    pub(crate) async fn open(&self, user: &Arc<str>) -> Result<UserConnection, Duration> {
        match self.store.open(user, self.config.max_connections).await {
            Verdict::Allowed => {
                Ok(UserConnection { store: self.store.clone(), user: user.clone() })
            }
            Verdict::Refused { retry_after } => Err(retry_after),
        }
    }

    /// Takes one publication from the user's allowance.
    ///
    /// # Errors
    /// When the user publishes faster than `USER_PUBLISH_RATE_PER_SECOND`, how long to wait.
    pub(crate) async fn take_publication(&self, user: &Arc<str>) -> Result<(), Duration> {
        match self.store.take(user, self.config.publish_rate).await {
            Verdict::Allowed => Ok(()),
            Verdict::Refused { retry_after } => Err(retry_after),
        }
    }
}

/// The rooms take each publication from the user's allowance.
#[async_trait::async_trait]
impl PublishRate for UserLimits {
    async fn take(&self, user: &Arc<str>) -> Result<(), Duration> {
        self.take_publication(user).await
    }
}

/// One open connection of a user; the slot is freed when it drops.
pub(crate) struct UserConnection {
    store: Arc<dyn UserLimitStore>,
    user: Arc<str>,
}

impl std::fmt::Debug for UserConnection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("UserConnection").field("user", &self.user).finish_non_exhaustive()
    }
}

impl Drop for UserConnection {
    fn drop(&mut self) {
        self.store.close(&self.user);
    }
}
