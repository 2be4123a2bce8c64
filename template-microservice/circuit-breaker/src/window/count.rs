//! The count-based sliding window: the outcomes of the last N calls.
//!
//! A ring of N atomic slots, each holding `generation << 3 | outcome code`,
//! and a [`Cell`] with the window's totals. A call claims the next slot with
//! one `fetch_add`, swaps its code in, and moves the totals by the difference
//! between the old and new codes. When the old code equals the new one (a
//! success replacing a success, the steady state of a healthy downstream),
//! nothing else is written. The cost is O(1) whatever N.

use super::Mark;
use super::cell::{Cell, Counts, Delta, OnOlder};
use crate::sync::{AtomicU64, Ordering};

const CODE_BITS: u32 = 3;
const CODE_MASK: u64 = (1 << CODE_BITS) - 1;

#[derive(Debug)]
pub(crate) struct CountWindow {
    slots: Box<[AtomicU64]>,
    len: u64,
    cursor: AtomicU64,
    totals: Cell,
}

impl CountWindow {
    pub(crate) fn new(size: u32) -> Self {
        let slots = (0..size.max(1)).map(|_| AtomicU64::new(0)).collect();
        Self { slots, len: u64::from(size.max(1)), cursor: AtomicU64::new(0), totals: Cell::new() }
    }

    pub(crate) fn reset(&self, generation: u64) {
        self.totals.reset(generation);
    }

    pub(crate) fn totals(&self, generation: u64) -> Counts {
        self.totals.read(generation)
    }

    /// Records one outcome; returns false if `generation` is no longer the
    /// window's (the result is then dropped).
    #[inline]
    pub(crate) fn record(&self, generation: u64, mark: Mark) -> bool {
        let position = self.cursor.fetch_add(1, Ordering::Relaxed) % self.len;
        let index = usize::try_from(position).unwrap_or_default();
        let Some(slot) = self.slots.get(index) else {
            return false;
        };
        let new = generation << CODE_BITS | mark.code();
        let Some(old) = swap_unless_newer(slot, new) else {
            return false;
        };
        let old_code = if old >> CODE_BITS == generation { old & CODE_MASK } else { 0 };
        let delta = code_delta(old_code, mark.code());
        delta.is_zero() || self.totals.apply(generation, delta, OnOlder::Reject)
    }
}

/// Stores `new` in `slot` unless the slot already belongs to a later
/// generation; returns the value it replaced.
#[inline]
fn swap_unless_newer(slot: &AtomicU64, new: u64) -> Option<u64> {
    let mut old = slot.load(Ordering::Acquire);
    loop {
        if old == new {
            return Some(old);
        }
        if old >> CODE_BITS > new >> CODE_BITS {
            return None;
        }
        match slot.compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Some(old),
            Err(actual) => old = actual,
        }
    }
}

#[inline]
fn code_delta(old: u64, new: u64) -> Delta {
    let field = |code: u64, bit: u64| i64::from(code & bit != 0);
    Delta {
        total: field(new, Mark::PRESENT) - field(old, Mark::PRESENT),
        failures: field(new, Mark::FAILURE) - field(old, Mark::FAILURE),
        slow: field(new, Mark::SLOW) - field(old, Mark::SLOW),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const FAIL: Mark = Mark { failure: true, slow: false };
    const OK: Mark = Mark { failure: false, slow: false };

    #[test]
    fn keeps_only_the_last_n_outcomes() {
        let window = CountWindow::new(3);
        for mark in [FAIL, FAIL, OK, OK] {
            assert!(window.record(0, mark));
        }
        let totals = window.totals(0);
        assert_eq!((totals.total, totals.failures), (3, 1));
    }

    #[test]
    fn a_reset_drops_old_slots_and_rejects_old_writers() {
        let window = CountWindow::new(2);
        window.record(0, FAIL);
        window.reset(1);
        assert!(!window.record(0, FAIL));
        assert!(window.record(1, OK));
        assert_eq!(window.totals(1).total, 1);
        assert_eq!(window.totals(1).failures, 0);
    }

    #[test]
    fn a_slot_of_a_later_generation_is_never_overwritten() {
        let slot = AtomicU64::new(5 << CODE_BITS | 1);
        assert_eq!(swap_unless_newer(&slot, 4 << CODE_BITS | 3), None);
        assert_eq!(slot.load(Ordering::Relaxed), 5 << CODE_BITS | 1);
    }
}
