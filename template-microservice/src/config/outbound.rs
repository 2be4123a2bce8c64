//! The inventory client: each stage of its tower stack has its own settings.

use std::time::Duration;

use super::raw::{fraction, http_url, millis, positive};
use super::{ConfigError, RawConfig};

/// The inventory service and how it is called.
#[derive(Debug, Clone)]
pub struct InventoryConfig {
    /// Base URL (`INVENTORY_URL`, default `http://127.0.0.1:8081`).
    pub url: String,
    /// Deadline of one call, retries included (`INVENTORY_TIMEOUT_MS`, default 2000).
    pub timeout: Duration,
    /// Deadline of one attempt (`INVENTORY_ATTEMPT_TIMEOUT_MS`, default 500).
    pub attempt_timeout: Duration,
    /// Retries.
    pub retry: RetryConfig,
    /// The circuit breaker.
    pub breaker: BreakerConfig,
}

/// Retries with jittered exponential backoff, limited by a budget.
#[derive(Debug, Clone, Copy)]
pub struct RetryConfig {
    /// Attempts in all, the first included (`INVENTORY_RETRY_MAX_ATTEMPTS`, default 3).
    pub max_attempts: u32,
    /// First backoff (`INVENTORY_RETRY_BACKOFF_MIN_MS`, default 50).
    pub backoff_min: Duration,
    /// Longest backoff (`INVENTORY_RETRY_BACKOFF_MAX_MS`, default 1000).
    pub backoff_max: Duration,
    /// Random share added to each backoff (`INVENTORY_RETRY_JITTER`, default 0.5).
    pub jitter: f64,
    /// Retries allowed per request, as a fraction (`INVENTORY_RETRY_BUDGET_PERCENT`, 0.2).
    pub budget_percent: f32,
    /// Retries always allowed per second (`INVENTORY_RETRY_BUDGET_MIN_PER_SEC`, default 10).
    pub budget_min_per_sec: u32,
}

/// The circuit breaker around each attempt.
#[derive(Debug, Clone, Copy)]
pub struct BreakerConfig {
    /// Calls in the sliding window (`INVENTORY_BREAKER_WINDOW`, default 50).
    pub window: u32,
    /// Calls before the failure rate counts (`INVENTORY_BREAKER_MINIMUM_CALLS`, default 10).
    pub minimum_calls: u32,
    /// Failure rate that opens it (`INVENTORY_BREAKER_FAILURE_RATE`, default 0.5).
    pub failure_rate: f64,
    /// How long it stays open (`INVENTORY_BREAKER_OPEN_WAIT_MS`, default 10000).
    pub open_wait: Duration,
    /// Trial calls when half-open (`INVENTORY_BREAKER_HALF_OPEN_TRIALS`, default 3).
    pub half_open_trials: u32,
}

impl InventoryConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let url = raw.inventory_url.as_deref().unwrap_or("http://127.0.0.1:8081");
        Ok(Self {
            url: http_url("INVENTORY_URL", url)?,
            timeout: millis("INVENTORY_TIMEOUT_MS", raw.inventory_timeout_ms, 2_000)?,
            attempt_timeout: millis(
                "INVENTORY_ATTEMPT_TIMEOUT_MS",
                raw.inventory_attempt_timeout_ms,
                500,
            )?,
            retry: RetryConfig::from_raw(raw)?,
            breaker: BreakerConfig::from_raw(raw)?,
        })
    }
}

impl RetryConfig {
    fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let backoff_min =
            millis("INVENTORY_RETRY_BACKOFF_MIN_MS", raw.inventory_retry_backoff_min_ms, 50)?;
        let backoff_max =
            millis("INVENTORY_RETRY_BACKOFF_MAX_MS", raw.inventory_retry_backoff_max_ms, 1_000)?;
        if backoff_max < backoff_min {
            let message = "must be at least INVENTORY_RETRY_BACKOFF_MIN_MS";
            return Err(ConfigError::new("INVENTORY_RETRY_BACKOFF_MAX_MS", message));
        }
        let jitter = raw.inventory_retry_jitter.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&jitter) {
            return Err(ConfigError::new("INVENTORY_RETRY_JITTER", "must be between 0 and 1"));
        }
        let budget_percent = raw.inventory_retry_budget_percent.unwrap_or(0.2);
        if !(0.0..=10.0).contains(&budget_percent) {
            let message = "must be between 0 and 10";
            return Err(ConfigError::new("INVENTORY_RETRY_BUDGET_PERCENT", message));
        }
        Ok(Self {
            max_attempts: positive(
                "INVENTORY_RETRY_MAX_ATTEMPTS",
                raw.inventory_retry_max_attempts.unwrap_or(3),
            )?,
            backoff_min,
            backoff_max,
            jitter,
            budget_percent,
            budget_min_per_sec: raw.inventory_retry_budget_min_per_sec.unwrap_or(10),
        })
    }
}

impl BreakerConfig {
    fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let window = raw.inventory_breaker_window.unwrap_or(50);
        if !(1..=65_535).contains(&window) {
            return Err(ConfigError::new("INVENTORY_BREAKER_WINDOW", "must be 1 to 65535"));
        }
        let trials = raw.inventory_breaker_half_open_trials.unwrap_or(3);
        if !(1..=1_024).contains(&trials) {
            let message = "must be 1 to 1024";
            return Err(ConfigError::new("INVENTORY_BREAKER_HALF_OPEN_TRIALS", message));
        }
        Ok(Self {
            window,
            minimum_calls: positive(
                "INVENTORY_BREAKER_MINIMUM_CALLS",
                raw.inventory_breaker_minimum_calls.unwrap_or(10),
            )?,
            failure_rate: fraction(
                "INVENTORY_BREAKER_FAILURE_RATE",
                raw.inventory_breaker_failure_rate.unwrap_or(0.5),
            )?,
            open_wait: millis(
                "INVENTORY_BREAKER_OPEN_WAIT_MS",
                raw.inventory_breaker_open_wait_ms,
                10_000,
            )?,
            half_open_trials: trials,
        })
    }
}
