//! The inventory client: `INVENTORY_*`, read into [`InventorySettings`] and the settings of
//! each stage of its resilient stack.

use super::raw::{fraction, http_url, millis_or, positive};
use super::{ConfigError, RawConfig};
use crate::outbound::inventory::InventorySettings;
use crate::resilient_client::{BreakerSettings, ClientSettings, RetrySettings};

/// The inventory service (`INVENTORY_URL`, default `http://127.0.0.1:8081`) and its stack:
/// `INVENTORY_TIMEOUT_MS`, `INVENTORY_ATTEMPT_TIMEOUT_MS`, `INVENTORY_RETRY_*` and
/// `INVENTORY_BREAKER_*`, with the module's defaults (2000, 500, and those below).
pub(super) fn inventory(raw: &RawConfig) -> Result<InventorySettings, ConfigError> {
    let url = raw.inventory_url.as_deref().unwrap_or("http://127.0.0.1:8081");
    let defaults = ClientSettings::default();
    let client = ClientSettings {
        timeout: millis_or("INVENTORY_TIMEOUT_MS", raw.inventory_timeout_ms, defaults.timeout)?,
        attempt_timeout: millis_or(
            "INVENTORY_ATTEMPT_TIMEOUT_MS",
            raw.inventory_attempt_timeout_ms,
            defaults.attempt_timeout,
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
    let defaults = RetrySettings::default();
    let (min, max) = (raw.inventory_retry_backoff_min_ms, raw.inventory_retry_backoff_max_ms);
    let backoff_min = millis_or("INVENTORY_RETRY_BACKOFF_MIN_MS", min, defaults.backoff_min)?;
    let backoff_max = millis_or("INVENTORY_RETRY_BACKOFF_MAX_MS", max, defaults.backoff_max)?;
    if backoff_max < backoff_min {
        let message = "must be at least INVENTORY_RETRY_BACKOFF_MIN_MS";
        return Err(ConfigError::new("INVENTORY_RETRY_BACKOFF_MAX_MS", message));
    }
    let jitter = raw.inventory_retry_jitter.unwrap_or(defaults.jitter);
    if !(0.0..=1.0).contains(&jitter) {
        return Err(ConfigError::new("INVENTORY_RETRY_JITTER", "must be between 0 and 1"));
    }
    let budget_percent = raw.inventory_retry_budget_percent.unwrap_or(defaults.budget_percent);
    if !(0.0..=10.0).contains(&budget_percent) {
        let message = "must be between 0 and 10";
        return Err(ConfigError::new("INVENTORY_RETRY_BUDGET_PERCENT", message));
    }
    Ok(RetrySettings {
        max_attempts: positive(
            "INVENTORY_RETRY_MAX_ATTEMPTS",
            raw.inventory_retry_max_attempts.unwrap_or(defaults.max_attempts),
        )?,
        backoff_min,
        backoff_max,
        jitter,
        budget_percent,
        budget_min_per_sec: raw
            .inventory_retry_budget_min_per_sec
            .unwrap_or(defaults.budget_min_per_sec),
    })
}

/// `INVENTORY_BREAKER_WINDOW` (default 50), `INVENTORY_BREAKER_MINIMUM_CALLS` (10),
/// `INVENTORY_BREAKER_FAILURE_RATE` (0.5), `INVENTORY_BREAKER_OPEN_WAIT_MS` (10000),
/// `INVENTORY_BREAKER_HALF_OPEN_TRIALS` (3).
fn breaker(raw: &RawConfig) -> Result<BreakerSettings, ConfigError> {
    let defaults = BreakerSettings::default();
    let window = raw.inventory_breaker_window.unwrap_or(defaults.window);
    if !(1..=65_535).contains(&window) {
        return Err(ConfigError::new("INVENTORY_BREAKER_WINDOW", "must be 1 to 65535"));
    }
    let trials = raw.inventory_breaker_half_open_trials.unwrap_or(defaults.half_open_trials);
    if !(1..=1_024).contains(&trials) {
        let message = "must be 1 to 1024";
        return Err(ConfigError::new("INVENTORY_BREAKER_HALF_OPEN_TRIALS", message));
    }
    Ok(BreakerSettings {
        window,
        minimum_calls: positive(
            "INVENTORY_BREAKER_MINIMUM_CALLS",
            raw.inventory_breaker_minimum_calls.unwrap_or(defaults.minimum_calls),
        )?,
        failure_rate: fraction(
            "INVENTORY_BREAKER_FAILURE_RATE",
            raw.inventory_breaker_failure_rate.unwrap_or(defaults.failure_rate),
        )?,
        open_wait: millis_or(
            "INVENTORY_BREAKER_OPEN_WAIT_MS",
            raw.inventory_breaker_open_wait_ms,
            defaults.open_wait,
        )?,
        half_open_trials: trials,
    })
}
