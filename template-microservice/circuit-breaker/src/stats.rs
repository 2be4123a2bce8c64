//! Lifetime counters, and the [`Metrics`] snapshot a handle reads.
//!
//! Successes are not counted here: counting them would add a contended
//! write to every call of the closed-state fast path. The window's totals
//! and the `metrics` feature cover them.

use crate::State;
use crate::sync::{AtomicU64, Ordering};
use crate::window::{Counts, Mark};

/// A snapshot of a breaker's state and counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// The current state.
    pub state: State,
    /// Calls in the sliding window (of the current closed or disabled state).
    pub window_calls: u64,
    /// Failed calls in the window.
    pub window_failures: u64,
    /// Slow calls in the window.
    pub window_slow_calls: u64,
    /// Current run of consecutive failures.
    pub consecutive_failures: u64,
    /// Calls refused since the breaker was built.
    pub rejected: u64,
    /// Calls that failed since the breaker was built (counted results only).
    pub failures: u64,
    /// Slow calls since the breaker was built (counted results only).
    pub slow_calls: u64,
    /// Results classified as ignored since the breaker was built.
    pub ignored: u64,
    /// State transitions since the breaker was built.
    pub transitions: u64,
}

impl Metrics {
    /// Failed share of the window's calls (0 when the window is empty).
    #[must_use]
    pub fn failure_rate(&self) -> f64 {
        share(self.window_failures, self.window_calls)
    }

    /// Slow share of the window's calls (0 when the window is empty).
    #[must_use]
    pub fn slow_call_rate(&self) -> f64 {
        share(self.window_slow_calls, self.window_calls)
    }
}

/// `part / whole` for counts below 2^24 (the window's limit), else clamped.
pub(crate) fn share(part: u64, whole: u64) -> f64 {
    let as_f64 = |count: u64| f64::from(u32::try_from(count).unwrap_or(u32::MAX));
    if whole == 0 {
        return 0.0;
    }
    as_f64(part) / as_f64(whole)
}

#[derive(Debug)]
pub(crate) struct Stats {
    rejected: AtomicU64,
    failures: AtomicU64,
    slow: AtomicU64,
    ignored: AtomicU64,
    transitions: AtomicU64,
}

impl Stats {
    pub(crate) fn new() -> Self {
        Self {
            rejected: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            slow: AtomicU64::new(0),
            ignored: AtomicU64::new(0),
            transitions: AtomicU64::new(0),
        }
    }

    pub(crate) fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn ignored(&self) {
        self.ignored.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn transition(&self) {
        self.transitions.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a failed or slow result; a plain success writes nothing.
    pub(crate) fn outcome(&self, mark: Mark) {
        if mark.failure {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        if mark.slow {
            self.slow.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self, state: State, window: Counts, streak: u64) -> Metrics {
        Metrics {
            state,
            window_calls: window.total,
            window_failures: window.failures,
            window_slow_calls: window.slow,
            consecutive_failures: streak,
            rejected: self.rejected.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            slow_calls: self.slow.load(Ordering::Relaxed),
            ignored: self.ignored.load(Ordering::Relaxed),
            transitions: self.transitions.load(Ordering::Relaxed),
        }
    }
}
