//! The count of consecutive failures, tagged with its generation.

use crate::sync::{AtomicU64, Ordering};

const TAG_SHIFT: u32 = 48;
const COUNT: u64 = (1 << TAG_SHIFT) - 1;

/// Consecutive failures of one generation: `tag:16 | count:48`.
#[derive(Debug)]
pub(crate) struct Streak(AtomicU64);

impl Streak {
    pub(crate) fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    pub(crate) fn reset(&self, generation: u64) {
        self.0.store(tag(generation), Ordering::Release);
    }

    /// The current streak of `generation` (zero for any other).
    pub(crate) fn get(&self, generation: u64) -> u64 {
        let word = self.0.load(Ordering::Acquire);
        if word & !COUNT == tag(generation) { word & COUNT } else { 0 }
    }

    /// Adds a failure, or ends the streak on a success; returns the streak.
    /// Writes nothing when a success finds no streak to end.
    #[inline]
    pub(crate) fn record(&self, generation: u64, failure: bool) -> u64 {
        let tag = tag(generation);
        let mut word = self.0.load(Ordering::Acquire);
        loop {
            if word & !COUNT != tag || (!failure && word & COUNT == 0) {
                return 0;
            }
            let next = if failure { tag | ((word & COUNT) + 1).min(COUNT) } else { tag };
            match self.0.compare_exchange_weak(word, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return next & COUNT,
                Err(actual) => word = actual,
            }
        }
    }
}

fn tag(generation: u64) -> u64 {
    (generation & 0xFFFF) << TAG_SHIFT
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn counts_failures_until_a_success() {
        let streak = Streak::new();
        assert_eq!(streak.record(0, true), 1);
        assert_eq!(streak.record(0, true), 2);
        assert_eq!(streak.get(0), 2);
        assert_eq!(streak.record(0, false), 0);
        assert_eq!(streak.get(0), 0);
    }

    #[test]
    fn ignores_other_generations() {
        let streak = Streak::new();
        streak.reset(4);
        assert_eq!(streak.record(3, true), 0);
        assert_eq!(streak.get(4), 0);
        assert_eq!(streak.record(4, true), 1);
    }
}
