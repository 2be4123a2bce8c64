//! Recording: what a finished call does to the breaker.
//!
//! A result is only counted if the state it was admitted in still holds (same
//! generation); a late result from an earlier state is dropped. In the closed
//! state a success touches the window only, and a failure or slow call also
//! checks whether the breaker must trip.

use std::time::Duration;

use crate::core::{Core, SlowPath, Ticket};
use crate::events::Event;
use crate::state::StateWord;
use crate::stats::share;
use crate::trials::{Thresholds, TrialSlot};
use crate::window::Mark;
use crate::{Outcome, State};

impl Core {
    /// Counts the outcome of the call admitted with `ticket`. The plain
    /// success of a count-based window is inlined; the rest is not.
    #[inline]
    pub(crate) fn record(&self, ticket: &Ticket, outcome: Outcome) {
        let plain = ticket.is_plain() && self.slow_nanos.is_none();
        if plain && outcome == Outcome::Success && !self.window.needs_clock() {
            self.export.outcome(outcome, false);
            let success = Mark { failure: false, slow: false };
            return self.record_plain(ticket, success, 0);
        }
        self.record_any(ticket, outcome);
    }

    /// The general case of [`Core::record`]: failures, ignored results,
    /// trials, and anything that needs the clock.
    #[inline(never)]
    fn record_any(&self, ticket: &Ticket, outcome: Outcome) {
        let now = self.finish_time(ticket);
        let is_slow = self.is_slow(ticket, now);
        self.export.outcome(outcome, is_slow);
        let failure = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Ignored => {
                self.stats.ignored();
                return self.cancel(ticket);
            }
        };
        let mark = Mark { failure, slow: is_slow };
        match ticket.trial_slot() {
            None => self.record_plain(ticket, mark, now),
            Some(trial) => self.finish_trial(ticket, trial, mark),
        }
    }

    /// Releases the trial slot of a call that was cancelled or ignored.
    #[inline]
    pub(crate) fn cancel(&self, ticket: &Ticket) {
        if !ticket.is_plain() {
            self.cancel_trial(ticket);
        }
    }

    #[inline(never)]
    fn cancel_trial(&self, ticket: &Ticket) {
        let Some(trial) = ticket.trial_slot() else {
            return;
        };
        let mut locked = self.lock();
        if self.word().generation() == ticket.generation {
            locked.trials.finish(trial, None);
        }
    }

    #[inline]
    fn finish_time(&self, ticket: &Ticket) -> u64 {
        let timed = self.slow_nanos.is_some() || !ticket.is_plain();
        if timed || self.window.needs_clock() { self.now() } else { 0 }
    }

    #[inline]
    fn is_slow(&self, ticket: &Ticket, now: u64) -> bool {
        let Some(threshold) = self.slow_nanos else {
            return false;
        };
        let elapsed = now.saturating_sub(ticket.started);
        if elapsed < threshold {
            return false;
        }
        let duration = Duration::from_nanos(elapsed);
        self.events.publish(Event::SlowCall { duration });
        true
    }

    #[inline]
    fn record_plain(&self, ticket: &Ticket, mark: Mark, now: u64) {
        let word = self.word();
        let generation = ticket.generation;
        if word.generation() != generation {
            return;
        }
        if mark.failure || mark.slow {
            self.stats.outcome(mark);
        }
        if !self.window.record(generation, mark, now) {
            return;
        }
        let streak = self.streak.record(generation, mark.failure);
        let suspect = mark.failure || mark.slow;
        if suspect && word.state() == State::Closed && self.should_trip(generation, streak, now) {
            self.trip(word);
        }
    }

    fn should_trip(&self, generation: u64, streak: u64, now: u64) -> bool {
        let limit = self.config.consecutive_failures;
        if limit.is_some_and(|limit| streak >= u64::from(limit)) {
            return true;
        }
        let totals = self.window.totals(generation, now);
        if totals.total == 0 || totals.total < u64::from(self.config.minimum_calls) {
            return false;
        }
        let reaches = |count: u64, rate: Option<f64>| {
            rate.is_some_and(|rate| share(count, totals.total) >= rate)
        };
        let slow_rate = self.config.slow_calls.map(|slow| slow.rate);
        reaches(totals.failures, self.config.failure_rate) || reaches(totals.slow, slow_rate)
    }

    fn trip(&self, word: StateWord) {
        let mut locked = self.lock();
        if self.word() == word {
            self.transition(&mut locked, word, State::Open);
        }
    }

    fn finish_trial(&self, ticket: &Ticket, trial: TrialSlot, mark: Mark) {
        let mut locked = self.lock();
        let word = self.word();
        if word.generation() != ticket.generation || word.state() != State::HalfOpen {
            return;
        }
        self.stats.outcome(mark);
        if locked.trials.finish(trial, Some(mark)) {
            self.conclude_trials(&mut locked, word);
        }
    }

    /// Closes or re-opens if the trials' outcome is certain; returns whether
    /// it did.
    pub(crate) fn conclude_trials(&self, locked: &mut SlowPath, word: StateWord) -> bool {
        let thresholds = Thresholds {
            // Without a failure rate (a consecutive-failures breaker), any
            // failed trial re-opens.
            failure_rate: self.config.failure_rate.unwrap_or(f64::MIN_POSITIVE),
            slow_rate: self.config.slow_calls.map(|slow| slow.rate),
        };
        let Some(next) = locked.trials.verdict(thresholds) else {
            return false;
        };
        self.transition(locked, word, next);
        true
    }
}
