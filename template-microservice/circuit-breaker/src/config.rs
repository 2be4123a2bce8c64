//! The breaker's settings, their defaults and their validation.

use std::time::Duration;

use crate::backoff::OpenWait;
use crate::error::ConfigError;

/// Which calls the breaker's statistics cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlidingWindow {
    /// The last `size` calls (1 to 65 535).
    Count {
        /// How many calls the window holds.
        size: u32,
    },
    /// The calls of the last `length`, kept in `buckets` buckets of
    /// `length / buckets` each (1 to 4 096 buckets, at most 16 777 215 calls
    /// counted per window: beyond that the counts saturate).
    Time {
        /// How far back the window reaches.
        length: Duration,
        /// How many buckets it is cut into: the precision of expiry.
        buckets: u32,
    },
}

/// Slow-call detection: calls slower than `threshold` are slow, and the
/// breaker trips when their share of the window reaches `rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlowCalls {
    /// A call that takes at least this long is slow.
    pub threshold: Duration,
    /// The share of slow calls (0 < rate ≤ 1) that trips the breaker.
    pub rate: f64,
}

/// Every setting of a breaker. Build one with [`crate::Builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Which calls the statistics cover. Default: the last 100 calls.
    pub window: SlidingWindow,
    /// Calls needed in the window before a rate can trip. Default 20.
    pub minimum_calls: u32,
    /// Failure share (0 < rate ≤ 1) that trips; `None` disables. Default 0.5.
    pub failure_rate: Option<f64>,
    /// Slow-call detection. Default: off.
    pub slow_calls: Option<SlowCalls>,
    /// Consecutive failures that trip, whatever the window says. Default: off.
    pub consecutive_failures: Option<u32>,
    /// Trial calls admitted in half-open. Default 5.
    pub half_open_trials: u32,
    /// How long a half-open trial may run before it counts as a failure and
    /// its slot is reused: unless that failure re-opens the breaker, the
    /// slot goes to the next caller, whose outcome counts too. Default 30 s.
    pub trial_lease: Duration,
    /// How long the breaker stays open. Default: fixed 30 s.
    pub open_wait: OpenWait,
    /// Random share (0 to 1) by which each open wait is shortened. Default 0.
    pub jitter: f64,
    /// Seed of the jitter's generator, for reproducible waits. Default: random.
    pub jitter_seed: Option<u64>,
    /// A name, used as the `name` label of exported metrics. Default "default".
    pub name: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            window: SlidingWindow::Count { size: 100 },
            minimum_calls: 20,
            failure_rate: Some(0.5),
            slow_calls: None,
            consecutive_failures: None,
            half_open_trials: 5,
            trial_lease: Duration::from_secs(30),
            open_wait: OpenWait::default(),
            jitter: 0.0,
            jitter_seed: None,
            name: "default".to_owned(),
        }
    }
}

impl Config {
    /// Checks every setting; the breaker is only built from a valid config.
    ///
    /// # Errors
    /// The first setting found out of its range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_window(self.window)?;
        check_rate("failure_rate", self.failure_rate)?;
        check_rate("slow_calls.rate", self.slow_calls.map(|slow| slow.rate))?;
        if self.consecutive_failures == Some(0) {
            return Err(ConfigError::new("consecutive_failures", "must be at least 1"));
        }
        if self.half_open_trials == 0 || self.half_open_trials > 1024 {
            return Err(ConfigError::new("half_open_trials", "must be 1 to 1024"));
        }
        if self.trial_lease.is_zero() {
            return Err(ConfigError::new("trial_lease", "must be positive"));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(ConfigError::new("jitter", "must be in [0, 1]"));
        }
        self.open_wait.validate()
    }
}

fn validate_window(window: SlidingWindow) -> Result<(), ConfigError> {
    match window {
        SlidingWindow::Count { size } if size == 0 || size > 65_535 => {
            Err(ConfigError::new("window", "a count window holds 1 to 65 535 calls"))
        }
        SlidingWindow::Time { buckets, .. } if buckets == 0 || buckets > 4096 => {
            Err(ConfigError::new("window", "a time window has 1 to 4 096 buckets"))
        }
        SlidingWindow::Time { length, buckets }
            if length < Duration::from_nanos(buckets.into()) =>
        {
            Err(ConfigError::new("window", "a time window's buckets last at least 1 ns"))
        }
        _ => Ok(()),
    }
}

fn check_rate(field: &'static str, rate: Option<f64>) -> Result<(), ConfigError> {
    match rate {
        Some(rate) if !(rate > 0.0 && rate <= 1.0) => {
            Err(ConfigError::new(field, "a rate must be in (0, 1]"))
        }
        _ => Ok(()),
    }
}
