//! The time-based sliding window: the calls of the last T, in B buckets.
//!
//! Each bucket is a [`Cell`] covering T/B of time; the window's totals are a
//! further cell. A call adds to the totals, then to its bucket. When time
//! moves into a new bucket, the buckets that fell out of the window are
//! emptied and their counts subtracted from the totals, so a call costs O(1)
//! whatever T and the call rate.
//!
//! Rotation is done by whoever first sees the new bucket and wins a
//! `try_lock`; nobody ever waits for it. A caller that loses the race records
//! into the current (already clean) bucket instead, which at worst makes that
//! call expire one bucket early.

use super::Mark;
use super::cell::{Cell, Counts, Delta, OnOlder};
use crate::sync::{AtomicU64, Mutex, Ordering};

#[derive(Debug)]
pub(crate) struct TimeWindow {
    bucket_nanos: u64,
    buckets: Box<[Cell]>,
    len: u64,
    head: AtomicU64,
    rotation: Mutex<()>,
    totals: Cell,
}

impl TimeWindow {
    pub(crate) fn new(bucket_nanos: u64, buckets: u32) -> Self {
        Self {
            bucket_nanos: bucket_nanos.max(1),
            buckets: (0..buckets.max(1)).map(|_| Cell::new()).collect(),
            len: u64::from(buckets.max(1)),
            head: AtomicU64::new(0),
            rotation: Mutex::new(()),
            totals: Cell::new(),
        }
    }

    pub(crate) fn reset(&self, generation: u64) {
        self.totals.reset(generation);
    }

    pub(crate) fn totals(&self, generation: u64, now_nanos: u64) -> Counts {
        self.advance(now_nanos / self.bucket_nanos);
        self.totals.read(generation)
    }

    /// Records one outcome at `now_nanos`; returns false if `generation` is
    /// no longer the window's, or the call is older than the whole window.
    #[inline]
    pub(crate) fn record(&self, generation: u64, mark: Mark, now_nanos: u64) -> bool {
        let head = self.advance(now_nanos / self.bucket_nanos);
        let tick = (now_nanos / self.bucket_nanos).min(head);
        if tick + self.len <= head {
            return false;
        }
        let delta =
            Delta { total: 1, failures: i64::from(mark.failure), slow: i64::from(mark.slow) };
        if !self.totals.apply(generation, delta, OnOlder::Reject) {
            return false;
        }
        self.bucket(tick).apply(generation, delta, OnOlder::Replace);
        true
    }

    /// Moves the head to `tick` if nobody else is doing so; returns the head.
    #[inline]
    fn advance(&self, tick: u64) -> u64 {
        let head = self.head.load(Ordering::Acquire);
        if tick <= head {
            return head;
        }
        let Ok(_guard) = self.rotation.try_lock() else {
            return head;
        };
        let head = self.head.load(Ordering::Acquire);
        if tick > head {
            self.expire(head + 1, tick);
            self.head.store(tick, Ordering::Release);
        }
        self.head.load(Ordering::Acquire)
    }

    /// Empties the buckets of ticks `first..=last` (at most all of them).
    fn expire(&self, first: u64, last: u64) {
        let first = first.max(last.saturating_sub(self.len - 1));
        for tick in first..=last {
            let (tag, counts) = self.bucket(tick).take();
            self.totals.apply(tag, Delta::negated(counts), OnOlder::Reject);
        }
    }

    #[inline]
    fn bucket(&self, tick: u64) -> &Cell {
        let index = usize::try_from(tick % self.len).unwrap_or_default();
        &self.buckets[index]
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const FAIL: Mark = Mark { failure: true, slow: true };

    #[test]
    fn buckets_expire_as_time_moves_on() {
        let window = TimeWindow::new(10, 3);
        assert!(window.record(0, FAIL, 0));
        assert!(window.record(0, FAIL, 15));
        assert_eq!(window.totals(0, 29).failures, 2);
        assert_eq!(window.totals(0, 30).failures, 1);
        assert_eq!(window.totals(0, 30).slow, 1);
        assert_eq!(window.totals(0, 1_000).total, 0);
    }

    #[test]
    fn a_reset_hides_old_buckets_without_disturbing_new_totals() {
        let window = TimeWindow::new(10, 3);
        window.record(0, FAIL, 0);
        window.reset(1);
        assert!(!window.record(0, FAIL, 1));
        assert!(window.record(1, FAIL, 5));
        assert_eq!(window.totals(1, 5).total, 1);
        assert_eq!(window.totals(1, 35).total, 0);
    }

    #[test]
    fn a_call_older_than_the_window_is_dropped() {
        let window = TimeWindow::new(10, 2);
        window.record(0, FAIL, 100);
        assert!(!window.record(0, FAIL, 50));
        assert_eq!(window.totals(0, 100).total, 1);
    }
}
