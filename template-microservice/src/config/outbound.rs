//! The inventory client: `INVENTORY_*`, read into [`InventorySettings`] and the settings of
//! each stage of its resilient stack.

use super::raw::{fraction, http_url, millis, positive};
use super::{ConfigError, RawConfig};
use crate::outbound::inventory::InventorySettings;
use crate::resilient_client::{BreakerSettings, ClientSettings, RetrySettings};

/// The inventory service (`INVENTORY_URL`, default `http://127.0.0.1:8081`) and its stack:
/// `INVENTORY_TIMEOUT_MS` (default 2000), `INVENTORY_ATTEMPT_TIMEOUT_MS` (500),
/// `INVENTORY_RETRY_*` and `INVENTORY_BREAKER_*`.
pub(super) fn inventory(raw: &RawConfig) -> Result<InventorySettings, ConfigError> {
    let url = raw.inventory_url.as_deref().unwrap_or("http://127.0.0.1:8081");
    let client = ClientSettings {
        timeout: millis("INVENTORY_TIMEOUT_MS", raw.inventory_timeout_ms, 2_000)?,
        attempt_timeout: millis(
            "INVENTORY_ATTEMPT_TIMEOUT_MS",
            raw.inventory_attempt_timeout_ms,
            500,
        )?,
        retry: retry(raw)?,
        breaker: breaker(raw)?,
    };
    Ok(InventorySettings { url: http_url("INVENTORY_URL", url)?, client })
}

/// `INVENTORY_RETRY_MAX_ATTEMPTS` (default 3), `INVENTORY_RETRY_BACKOFF_MIN_MS` (50),
/// `INVENTORY_RETRY_BACKOFF_MAX_MS` (1000), `INVENTORY_RETRY_JITTER` (0.5),
/// `INVENTORY_RETRY_BUDGET_PERCENT` (0.2), `INVENTORY_RETRY_BUDGET_MIN_PER_SEC` (10).
fn retry(raw: &RawConfig) -> Result<RetrySettings, ConfigError> {
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
    Ok(RetrySettings {
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

/// `INVENTORY_BREAKER_WINDOW` (default 50), `INVENTORY_BREAKER_MINIMUM_CALLS` (10),
/// `INVENTORY_BREAKER_FAILURE_RATE` (0.5), `INVENTORY_BREAKER_OPEN_WAIT_MS` (10000),
/// `INVENTORY_BREAKER_HALF_OPEN_TRIALS` (3).
fn breaker(raw: &RawConfig) -> Result<BreakerSettings, ConfigError> {
    let window = raw.inventory_breaker_window.unwrap_or(50);
    if !(1..=65_535).contains(&window) {
        return Err(ConfigError::new("INVENTORY_BREAKER_WINDOW", "must be 1 to 65535"));
    }
    let trials = raw.inventory_breaker_half_open_trials.unwrap_or(3);
    if !(1..=1_024).contains(&trials) {
        let message = "must be 1 to 1024";
        return Err(ConfigError::new("INVENTORY_BREAKER_HALF_OPEN_TRIALS", message));
    }
    Ok(BreakerSettings {
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
