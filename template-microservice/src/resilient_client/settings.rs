//! The settings of each stage of the stack, with their defaults. The module reads no
//! environment variable: the app fills these structs from its own configuration.

use std::time::Duration;

/// One downstream service's stack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientSettings {
    /// Deadline of one call, retries and backoffs included (default 2 s).
    pub timeout: Duration,
    /// Deadline of one attempt, so that a hanging server counts as a failure (default 500 ms).
    pub attempt_timeout: Duration,
    /// Retries.
    pub retry: RetrySettings,
    /// The circuit breaker around each attempt.
    pub breaker: BreakerSettings,
}

/// Retries with jittered exponential backoff, limited by a budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrySettings {
    /// Attempts in all, the first included (default 3).
    pub max_attempts: u32,
    /// First backoff (default 50 ms).
    pub backoff_min: Duration,
    /// Longest backoff (default 1 s); at least `backoff_min`.
    pub backoff_max: Duration,
    /// Random share added to each backoff, from 0 to 1 (default 0.5).
    pub jitter: f64,
    /// Retries allowed per request, as a fraction, from 0 to 10 (default 0.2): retries
    /// cannot multiply the load on a struggling service.
    pub budget_percent: f32,
    /// Retries always allowed per second, whatever the budget (default 10).
    pub budget_min_per_sec: u32,
}

/// The circuit breaker (crate `circuit-breaker`) around each attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerSettings {
    /// Calls in the sliding window, 1 to 65535 (default 50).
    pub window: u32,
    /// Calls before the failure rate counts (default 10).
    pub minimum_calls: u32,
    /// Failure rate that opens it, above 0 and at most 1 (default 0.5).
    pub failure_rate: f64,
    /// How long it stays open before trial calls (default 10 s).
    pub open_wait: Duration,
    /// Trial calls when half-open, 1 to 1024 (default 3).
    pub half_open_trials: u32,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            attempt_timeout: Duration::from_millis(500),
            retry: RetrySettings::default(),
            breaker: BreakerSettings::default(),
        }
    }
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_secs(1),
            jitter: 0.5,
            budget_percent: 0.2,
            budget_min_per_sec: 10,
        }
    }
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            window: 50,
            minimum_calls: 10,
            failure_rate: 0.5,
            open_wait: Duration::from_secs(10),
            half_open_trials: 3,
        }
    }
}
