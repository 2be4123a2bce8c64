//! Where the rate limits and login throttles keep their state: in this process, or in Redis
//! where every replica shares it.

use std::time::Duration;

use serde::Deserialize;

use super::raw::positive_millis;
use super::{ConfigError, RawConfig};

/// `RATE_LIMIT_STORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// Each process counts alone: with N replicas a client gets N budgets.
    Memory,
    /// One count in Redis for every replica.
    Redis,
}

/// `RATE_LIMIT_REDIS_FAILURE`: what a decision does when Redis cannot answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreFailure {
    /// Decide with this process's own in-memory limits: the limits still hold, only N times
    /// looser with N replicas, and a Redis outage does not become an outage of the service.
    Open,
    /// Refuse with 429: nothing is admitted that Redis did not count.
    Closed,
}

/// Where limit state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitStore {
    /// In this process (`RATE_LIMIT_STORE=memory`, the default).
    Memory,
    /// In Redis, shared by every replica (`RATE_LIMIT_STORE=redis`).
    Redis(RedisLimitsConfig),
}

/// How the limits reach Redis.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisLimitsConfig {
    /// `REDIS_URL`, required with `RATE_LIMIT_STORE=redis`.
    pub url: String,
    /// Put in front of every key (`RATE_LIMIT_REDIS_PREFIX`, default `rate-limit:`), so that
    /// several services can share one Redis.
    pub prefix: String,
    /// Longest one decision waits for Redis (`RATE_LIMIT_REDIS_TIMEOUT_MS`, default 50): a
    /// slow Redis cannot stall requests.
    pub timeout: Duration,
    /// What happens when Redis does not answer in time (`RATE_LIMIT_REDIS_FAILURE`, default
    /// `open`).
    pub failure: StoreFailure,
}

impl std::fmt::Debug for RedisLimitsConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RedisLimitsConfig")
            .field("url", &"<redacted>")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("failure", &self.failure)
            .finish()
    }
}

impl LimitStore {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        if raw.rate_limit_store.unwrap_or(StoreKind::Memory) == StoreKind::Memory {
            return Ok(Self::Memory);
        }
        let url = raw
            .redis_url
            .clone()
            .ok_or_else(|| ConfigError::new("REDIS_URL", "required with RATE_LIMIT_STORE=redis"))?;
        redis::Client::open(url.as_str())
            .map_err(|error| ConfigError::new("REDIS_URL", error.to_string()))?;
        Ok(Self::Redis(RedisLimitsConfig {
            url,
            prefix: raw.rate_limit_redis_prefix.clone().unwrap_or_else(|| "rate-limit:".into()),
            timeout: positive_millis(
                "RATE_LIMIT_REDIS_TIMEOUT_MS",
                raw.rate_limit_redis_timeout_ms.unwrap_or(50),
            )?,
            failure: raw.rate_limit_redis_failure.unwrap_or(StoreFailure::Open),
        }))
    }
}
