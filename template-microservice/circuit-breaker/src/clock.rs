//! Monotonic clocks: the [`Clock`] trait, the real [`SystemClock`] and the
//! test-friendly [`ManualClock`].

use std::sync::Arc;
use std::time::Duration;

use crate::sync::{AtomicU64, Ordering};

/// A monotonic clock, read as the time elapsed since an arbitrary origin.
///
/// The breaker reads it only to time slow calls, to place calls in a
/// time-based window and to schedule the open state's wait, never on the plain
/// closed-state path of a count-based window.
pub trait Clock: Send + Sync + 'static {
    /// Time elapsed since this clock's origin. Must never go backwards.
    fn now(&self) -> Duration;
}

#[cfg(feature = "tokio")]
type Instant = tokio::time::Instant;
#[cfg(not(feature = "tokio"))]
type Instant = std::time::Instant;

/// The machine's monotonic clock.
///
/// With the `tokio` feature it reads `tokio::time::Instant`, so that a test
/// that calls `tokio::time::pause()` and `advance()` drives the breaker's
/// waits too. Without it, it reads `std::time::Instant`.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose origin is now.
    #[must_use]
    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }
}

/// A clock that moves only when told to: for deterministic tests.
///
/// Clones share the same time, so a test keeps one clone and gives the other
/// to the breaker.
///
/// ```
/// use std::time::Duration;
/// use circuit_breaker::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// clock.advance(Duration::from_millis(5));
/// assert_eq!(clock.now(), Duration::from_millis(5));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at zero.
    #[must_use]
    pub fn new() -> Self {
        Self { nanos: Arc::new(AtomicU64::new(0)) }
    }

    /// Moves the clock forward by `step`.
    pub fn advance(&self, step: Duration) {
        self.nanos.fetch_add(nanos(step), Ordering::AcqRel);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Acquire))
    }
}

/// A duration in whole nanoseconds, saturating at `u64::MAX` (584 years).
#[inline]
pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
