//! Half-open bookkeeping: trial slots leased to callers, and the verdict
//! their outcomes give. Lives under the breaker's slow-path lock.

use crate::State;
use crate::window::Mark;

/// A leased trial slot, as held by a permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrialSlot {
    index: u32,
    id: u32,
}

impl TrialSlot {
    /// Packed in a non-zero `u64`, so that a ticket stays three words.
    pub(crate) fn to_bits(self) -> u64 {
        (u64::from(self.index) + 1) << 32 | u64::from(self.id)
    }

    /// The slot packed by [`TrialSlot::to_bits`]; `None` for zero.
    pub(crate) fn from_bits(bits: u64) -> Option<Self> {
        let index = u32::try_from((bits >> 32).checked_sub(1)?).ok()?;
        let id = u32::try_from(bits & 0xFFFF_FFFF).ok()?;
        Some(Self { index, id })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lease {
    Free,
    Held { id: u32, deadline: u64 },
    Done,
}

/// The rates that decide a half-open verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds {
    pub(crate) failure_rate: f64,
    pub(crate) slow_rate: Option<f64>,
}

/// The trial slots of the current half-open state.
#[derive(Debug)]
pub(crate) struct Trials {
    leases: Vec<Lease>,
    next_id: u32,
    failures: u32,
    slow: u32,
    done: u32,
}

impl Trials {
    pub(crate) fn new() -> Self {
        Self { leases: Vec::new(), next_id: 0, failures: 0, slow: 0, done: 0 }
    }

    /// Starts a new half-open state with `permitted` free slots.
    pub(crate) fn restart(&mut self, permitted: u32) {
        let permitted = usize::try_from(permitted).unwrap_or(1);
        self.leases.clear();
        self.leases.resize(permitted, Lease::Free);
        (self.failures, self.slow, self.done) = (0, 0, 0);
    }

    /// Leases a free slot until `deadline`, or says how long until the
    /// earliest lease runs out (zero if every slot is done).
    pub(crate) fn lease(&mut self, now: u64, deadline: u64) -> Result<TrialSlot, u64> {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let free = self.leases.iter().position(|lease| *lease == Lease::Free);
        if let Some(index) = free {
            self.leases[index] = Lease::Held { id, deadline };
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            return Ok(TrialSlot { index, id });
        }
        let earliest = self.leases.iter().filter_map(|lease| match lease {
            Lease::Held { deadline, .. } => Some(deadline.saturating_sub(now)),
            Lease::Free | Lease::Done => None,
        });
        Err(earliest.min().unwrap_or(0))
    }

    /// Counts every lease that ran out by `now` as one more failure and
    /// frees its slot for another caller, whose outcome counts as well;
    /// returns how many ran out. Each expiry brings the failures closer to
    /// re-opening, so half-open cannot stick.
    pub(crate) fn expire(&mut self, now: u64) -> u32 {
        let mut expired = 0;
        for lease in &mut self.leases {
            if matches!(*lease, Lease::Held { deadline, .. } if deadline <= now) {
                *lease = Lease::Free;
                expired += 1;
            }
        }
        self.failures += expired;
        expired
    }

    /// Ends a trial: with `Some(mark)` its outcome counts, with `None` (an
    /// ignored or cancelled trial) its slot is freed. Returns false if the
    /// slot was no longer this trial's (its lease had run out).
    pub(crate) fn finish(&mut self, slot: TrialSlot, mark: Option<Mark>) -> bool {
        let index = usize::try_from(slot.index).unwrap_or(usize::MAX);
        let Some(lease) = self.leases.get_mut(index) else {
            return false;
        };
        if !matches!(*lease, Lease::Held { id, .. } if id == slot.id) {
            return false;
        }
        let Some(mark) = mark else {
            *lease = Lease::Free;
            return true;
        };
        *lease = Lease::Done;
        self.done += 1;
        self.failures += u32::from(mark.failure);
        self.slow += u32::from(mark.slow);
        true
    }

    /// Open or closed once the outcome is certain, whatever the remaining
    /// trials give; `None` while it is not.
    pub(crate) fn verdict(&self, thresholds: Thresholds) -> Option<State> {
        let permitted = f64::from(u32::try_from(self.leases.len()).unwrap_or(u32::MAX));
        let reaches = |count: u32, rate: Option<f64>| {
            rate.is_some_and(|rate| f64::from(count) >= rate * permitted)
        };
        let failure_rate = Some(thresholds.failure_rate);
        if reaches(self.failures, failure_rate) || reaches(self.slow, thresholds.slow_rate) {
            return Some(State::Open);
        }
        let remaining = u32::try_from(self.leases.len()).unwrap_or(u32::MAX) - self.done;
        let could_fail = reaches(self.failures + remaining, failure_rate);
        let could_be_slow = reaches(self.slow + remaining, thresholds.slow_rate);
        (!could_fail && !could_be_slow).then_some(State::Closed)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const HALF: Thresholds = Thresholds { failure_rate: 0.5, slow_rate: None };
    const OK: Option<Mark> = Some(Mark { failure: false, slow: false });
    const FAIL: Option<Mark> = Some(Mark { failure: true, slow: false });

    fn trials(permitted: u32) -> Trials {
        let mut trials = Trials::new();
        trials.restart(permitted);
        trials
    }

    #[test]
    fn leases_no_more_slots_than_permitted() {
        let mut trials = trials(2);
        assert!(trials.lease(0, 10).is_ok());
        assert!(trials.lease(0, 30).is_ok());
        assert_eq!(trials.lease(4, 50), Err(6));
    }

    #[test]
    fn a_cancelled_trial_frees_its_slot() {
        let mut trials = trials(1);
        let slot = trials.lease(0, 10).unwrap();
        assert!(trials.finish(slot, None));
        assert!(trials.lease(0, 10).is_ok());
    }

    #[test]
    fn an_expired_lease_fails_and_ignores_its_late_result() {
        let mut trials = trials(2);
        let slot = trials.lease(0, 10).unwrap();
        assert_eq!(trials.expire(10), 1);
        assert!(!trials.finish(slot, OK));
        assert_eq!(trials.verdict(HALF), Some(State::Open));
    }

    #[test]
    fn an_expired_lease_frees_its_slot_while_others_run() {
        let mut trials = trials(2);
        let expired = trials.lease(0, 10).unwrap();
        let running = trials.lease(5, 15).unwrap();
        assert_eq!(trials.expire(10), 1);
        let reused = trials.lease(10, 20).unwrap();
        assert_eq!(reused.index, expired.index);
        assert_eq!(trials.lease(10, 20), Err(5), "until the running lease ends");
        let all_fail = Thresholds { failure_rate: 1.0, slow_rate: None };
        assert_eq!(trials.verdict(all_fail), None);
        assert!(trials.finish(running, OK));
        assert!(trials.finish(reused, OK));
        assert_eq!(trials.verdict(all_fail), Some(State::Closed));
    }

    #[test]
    fn the_verdict_comes_as_soon_as_it_is_certain() {
        let mut trials = trials(4);
        let slots: Vec<_> = (0..4).map(|_| trials.lease(0, 10).unwrap()).collect();
        trials.finish(slots[0], OK);
        trials.finish(slots[1], FAIL);
        assert_eq!(trials.verdict(HALF), None);
        trials.finish(slots[2], OK);
        assert_eq!(trials.verdict(HALF), None);
        trials.finish(slots[3], OK);
        assert_eq!(trials.verdict(HALF), Some(State::Closed));
    }

    #[test]
    fn slow_trials_can_reopen() {
        let mut trials = trials(1);
        let slot = trials.lease(0, 10).unwrap();
        trials.finish(slot, Some(Mark { failure: false, slow: true }));
        let slow_only = Thresholds { failure_rate: 1.0, slow_rate: Some(1.0) };
        assert_eq!(trials.verdict(slow_only), Some(State::Open));
    }
}
