//! A pair of atomic words that count calls, failures and slow calls, tagged
//! with the generation they belong to.
//!
//! Layout: `calls = tag:16 | total:24 | failures:24`, `slow = tag:16 | slow:48`.
//! Updates are compare-and-swap loops that check the tag, so a writer from an
//! earlier generation can never change the counts of a later one, and that
//! saturate instead of overflowing into a neighbouring field.

use crate::sync::{AtomicU64, Ordering};

const TAG_SHIFT: u32 = 48;
const PAYLOAD: u64 = (1 << TAG_SHIFT) - 1;
const FIELD_BITS: u32 = 24;
const FIELD_MAX: u64 = (1 << FIELD_BITS) - 1;

/// Counts read from a cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) total: u64,
    pub(crate) failures: u64,
    pub(crate) slow: u64,
}

/// A signed change to apply to a cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Delta {
    pub(crate) total: i64,
    pub(crate) failures: i64,
    pub(crate) slow: i64,
}

impl Delta {
    pub(crate) fn is_zero(self) -> bool {
        self == Self::default()
    }

    pub(crate) fn negated(counts: Counts) -> Self {
        Self {
            total: -signed(counts.total),
            failures: -signed(counts.failures),
            slow: -signed(counts.slow),
        }
    }
}

/// What an update does when the cell holds an older generation's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnOlder {
    /// Give up: the cell is a window total that a newer writer must reset.
    Reject,
    /// Start the cell afresh for the writer's generation: the cell is a bucket
    /// whose old counts were never part of the current total.
    Replace,
}

/// The 16-bit tag of a generation.
pub(crate) fn tag_of(generation: u64) -> u64 {
    generation & 0xFFFF
}

/// A tagged pair of counters.
#[derive(Debug)]
pub(crate) struct Cell {
    calls: AtomicU64,
    slow: AtomicU64,
}

impl Cell {
    pub(crate) fn new() -> Self {
        Self { calls: AtomicU64::new(0), slow: AtomicU64::new(0) }
    }

    /// Empties the cell and tags it with `generation`.
    pub(crate) fn reset(&self, generation: u64) {
        let word = tag_of(generation) << TAG_SHIFT;
        self.slow.store(word, Ordering::Release);
        self.calls.store(word, Ordering::Release);
    }

    /// Applies `delta` if the cell belongs to `generation` (or, with
    /// [`OnOlder::Replace`], to an older one). Returns whether it applied.
    #[inline]
    pub(crate) fn apply(&self, generation: u64, delta: Delta, on_older: OnOlder) -> bool {
        let tag = tag_of(generation);
        let applied = update(&self.calls, tag, on_older, |payload| {
            let total = shift(payload >> FIELD_BITS, delta.total, FIELD_MAX);
            let failures = shift(payload & FIELD_MAX, delta.failures, FIELD_MAX);
            total << FIELD_BITS | failures
        });
        if applied && delta.slow != 0 {
            update(&self.slow, tag, on_older, |slow| shift(slow, delta.slow, PAYLOAD));
        }
        applied
    }

    /// The counts of `generation`, or zeros if the cell holds another one.
    pub(crate) fn read(&self, generation: u64) -> Counts {
        let tag = tag_of(generation);
        let calls = self.calls.load(Ordering::Acquire);
        let slow = self.slow.load(Ordering::Acquire);
        Counts {
            total: payload_of(calls, tag) >> FIELD_BITS,
            failures: payload_of(calls, tag) & FIELD_MAX,
            slow: payload_of(slow, tag),
        }
    }

    /// Empties the cell, keeping its tag; returns the generation tag and
    /// counts it held, for subtraction from a window total.
    pub(crate) fn take(&self) -> (u64, Counts) {
        let calls = self.calls.fetch_and(!PAYLOAD, Ordering::AcqRel);
        let slow = self.slow.fetch_and(!PAYLOAD, Ordering::AcqRel);
        let tag = calls >> TAG_SHIFT;
        let counts = Counts {
            total: (calls & PAYLOAD) >> FIELD_BITS,
            failures: calls & FIELD_MAX,
            slow: payload_of(slow, tag),
        };
        (tag, counts)
    }
}

fn payload_of(word: u64, tag: u64) -> u64 {
    if word >> TAG_SHIFT == tag { word & PAYLOAD } else { 0 }
}

/// Whether `tag` is an earlier generation than `current`, modulo 2^16.
fn is_older(tag: u64, current: u64) -> bool {
    let distance = current.wrapping_sub(tag) & 0xFFFF;
    distance != 0 && distance < 0x8000
}

fn update(word: &AtomicU64, tag: u64, on_older: OnOlder, change: impl Fn(u64) -> u64) -> bool {
    let mut current = word.load(Ordering::Acquire);
    loop {
        let held = current >> TAG_SHIFT;
        let payload = if held == tag {
            current & PAYLOAD
        } else if on_older == OnOlder::Replace && is_older(held, tag) {
            0
        } else {
            return false;
        };
        let next = tag << TAG_SHIFT | change(payload);
        match word.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(actual) => current = actual,
        }
    }
}

fn shift(value: u64, delta: i64, max: u64) -> u64 {
    if delta >= 0 {
        value.saturating_add(delta.unsigned_abs()).min(max)
    } else {
        value.saturating_sub(delta.unsigned_abs())
    }
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const ONE_FAILURE: Delta = Delta { total: 1, failures: 1, slow: 0 };

    #[test]
    fn apply_counts_only_for_its_own_generation() {
        let cell = Cell::new();
        cell.reset(3);
        assert!(cell.apply(3, ONE_FAILURE, OnOlder::Reject));
        assert!(!cell.apply(2, ONE_FAILURE, OnOlder::Reject));
        assert!(!cell.apply(4, ONE_FAILURE, OnOlder::Reject));
        assert_eq!(cell.read(3).failures, 1);
        assert_eq!(cell.read(4), Counts::default());
    }

    #[test]
    fn replace_restarts_an_older_cell_but_never_a_newer_one() {
        let cell = Cell::new();
        cell.reset(5);
        assert!(cell.apply(5, ONE_FAILURE, OnOlder::Replace));
        assert!(cell.apply(6, ONE_FAILURE, OnOlder::Replace));
        assert_eq!(cell.read(6).total, 1);
        assert!(!cell.apply(5, ONE_FAILURE, OnOlder::Replace));
    }

    #[test]
    fn fields_saturate_instead_of_overflowing() {
        let cell = Cell::new();
        let huge = Delta { total: i64::MAX, failures: 2, slow: 1 };
        assert!(cell.apply(0, huge, OnOlder::Reject));
        assert!(cell.apply(
            0,
            Delta::negated(Counts { total: 0, failures: 9, slow: 0 }),
            OnOlder::Reject
        ));
        let counts = cell.read(0);
        assert_eq!((counts.total, counts.failures, counts.slow), (FIELD_MAX, 0, 1));
    }

    #[test]
    fn take_empties_and_reports_the_tag() {
        let cell = Cell::new();
        cell.reset(7);
        cell.apply(7, Delta { total: 2, failures: 1, slow: 1 }, OnOlder::Reject);
        let (tag, counts) = cell.take();
        assert_eq!(tag, 7);
        assert_eq!(counts, Counts { total: 2, failures: 1, slow: 1 });
        assert_eq!(cell.read(7), Counts::default());
    }

    #[test]
    fn tags_wrap_around_sixteen_bits() {
        assert!(is_older(0xFFFF, 0x1_0000));
        assert!(!is_older(0x1_0000, 0xFFFF));
        assert!(!is_older(3, 3));
    }
}
