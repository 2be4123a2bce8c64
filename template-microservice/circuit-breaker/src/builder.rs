//! [`Builder`]: configure and build a [`CircuitBreaker`].

use std::sync::Arc;
use std::time::Duration;

use crate::backoff::OpenWait;
use crate::clock::{Clock, SystemClock};
use crate::config::{SlidingWindow, SlowCalls};
use crate::{CircuitBreaker, Config, ConfigError};

// The entry point lives with the builder, so that `breaker.rs` does not depend on this file.
impl CircuitBreaker {
    /// A builder with the default settings.
    pub fn builder() -> Builder {
        Builder::default()
    }
}

/// Builds a [`CircuitBreaker`]; every setting has a default (see
/// [`Config`]).
///
/// ```
/// use std::time::Duration;
/// use circuit_breaker::{CircuitBreaker, OpenWait};
///
/// let breaker = CircuitBreaker::builder()
///     .name("payments")
///     .count_window(50)
///     .minimum_calls(10)
///     .failure_rate(0.25)
///     .slow_calls(Duration::from_millis(500), 0.5)
///     .open_wait(OpenWait::Exponential {
///         initial: Duration::from_secs(1),
///         multiplier: 2.0,
///         max: Duration::from_secs(60),
///     })
///     .jitter(0.2)
///     .build()?;
/// # Ok::<(), circuit_breaker::ConfigError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct Builder {
    config: Config,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::from_config(Config::default())
    }
}

impl Builder {
    /// A builder starting from `config` instead of the defaults.
    pub fn from_config(config: Config) -> Self {
        Self { config, clock: Arc::new(SystemClock::new()) }
    }

    /// The name used as the `name` label of exported metrics.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.config.name = name.into();
        self
    }

    /// A count-based window of the last `size` calls.
    pub fn count_window(mut self, size: u32) -> Self {
        self.config.window = SlidingWindow::Count { size };
        self
    }

    /// A time-based window of the last `length`, in `buckets` buckets.
    pub fn time_window(mut self, length: Duration, buckets: u32) -> Self {
        self.config.window = SlidingWindow::Time { length, buckets };
        self
    }

    /// Calls needed in the window before a rate can trip the breaker.
    pub fn minimum_calls(mut self, calls: u32) -> Self {
        self.config.minimum_calls = calls;
        self
    }

    /// Trip when this share of the window's calls failed (0 < rate ≤ 1).
    pub fn failure_rate(mut self, rate: f64) -> Self {
        self.config.failure_rate = Some(rate);
        self
    }

    /// Never trip on the failure rate (use consecutive failures instead).
    pub fn no_failure_rate(mut self) -> Self {
        self.config.failure_rate = None;
        self
    }

    /// Calls of at least `threshold` are slow; trip when their share of the
    /// window reaches `rate`.
    pub fn slow_calls(mut self, threshold: Duration, rate: f64) -> Self {
        self.config.slow_calls = Some(SlowCalls { threshold, rate });
        self
    }

    /// Trip after this many consecutive failures.
    pub fn consecutive_failures(mut self, failures: u32) -> Self {
        self.config.consecutive_failures = Some(failures);
        self
    }

    /// Trial calls admitted in half-open.
    pub fn half_open_trials(mut self, trials: u32) -> Self {
        self.config.half_open_trials = trials;
        self
    }

    /// How long a trial may run before it counts as failed and its slot is
    /// reused (see [`Config::trial_lease`]).
    pub fn trial_lease(mut self, lease: Duration) -> Self {
        self.config.trial_lease = lease;
        self
    }

    /// How long the breaker stays open.
    pub fn open_wait(mut self, wait: OpenWait) -> Self {
        self.config.open_wait = wait;
        self
    }

    /// Shorten each open wait by a random share of up to `fraction`.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.config.jitter = fraction;
        self
    }

    /// Seed the jitter, for reproducible waits.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.config.jitter_seed = Some(seed);
        self
    }

    /// Read time from `clock` (for example a [`crate::ManualClock`]).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The breaker, closed.
    ///
    /// # Errors
    /// A setting out of its range.
    pub fn build(self) -> Result<CircuitBreaker, ConfigError> {
        self.config.validate()?;
        Ok(CircuitBreaker::from_parts(self.config, self.clock))
    }
}
