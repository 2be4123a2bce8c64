//! Sliding windows of call outcomes, count-based or time-based.

mod cell;
mod count;
mod time;

pub(crate) use cell::Counts;
use count::CountWindow;
use time::TimeWindow;

use crate::config::SlidingWindow;

/// What one finished call adds to a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) failure: bool,
    pub(crate) slow: bool,
}

impl Mark {
    pub(crate) const PRESENT: u64 = 1;
    pub(crate) const FAILURE: u64 = 2;
    pub(crate) const SLOW: u64 = 4;

    /// The three-bit code stored in a count window's slot.
    #[inline]
    pub(crate) fn code(self) -> u64 {
        Self::PRESENT
            | if self.failure { Self::FAILURE } else { 0 }
            | if self.slow { Self::SLOW } else { 0 }
    }
}

/// Either kind of window.
#[derive(Debug)]
pub(crate) enum Window {
    Count(CountWindow),
    Time(TimeWindow),
}

impl Window {
    pub(crate) fn new(kind: SlidingWindow) -> Self {
        match kind {
            SlidingWindow::Count { size } => Self::Count(CountWindow::new(size)),
            SlidingWindow::Time { length, buckets } => {
                let bucket = crate::clock::nanos(length) / u64::from(buckets.max(1));
                Self::Time(TimeWindow::new(bucket, buckets))
            }
        }
    }

    /// Whether recording needs the current time.
    #[inline]
    pub(crate) fn needs_clock(&self) -> bool {
        matches!(self, Self::Time(_))
    }

    pub(crate) fn reset(&self, generation: u64) {
        match self {
            Self::Count(window) => window.reset(generation),
            Self::Time(window) => window.reset(generation),
        }
    }

    #[inline]
    pub(crate) fn record(&self, generation: u64, mark: Mark, now_nanos: u64) -> bool {
        match self {
            Self::Count(window) => window.record(generation, mark),
            Self::Time(window) => window.record(generation, mark, now_nanos),
        }
    }

    pub(crate) fn totals(&self, generation: u64, now_nanos: u64) -> Counts {
        match self {
            Self::Count(window) => window.totals(generation),
            Self::Time(window) => window.totals(generation, now_nanos),
        }
    }
}
