//! The shared state of a breaker, and everything that reads or changes it:
//! admission (whether a call may start), recording (what a finished call does)
//! and transitions.
//!
//! The state and its generation live in one atomic word. In the closed and
//! disabled states admission is that single load. Every other state, and
//! every transition, goes through the slow path under a mutex.
//!
//! A result is only counted if the state it was admitted in still holds (same
//! generation); a late result from an earlier state is dropped. In the closed
//! state a success touches the window only, and a failure or slow call also
//! checks whether the breaker must trip. Transitions are all made under the
//! slow-path lock.

// gates: allow(file-length) reason: `Core` keeps its fields private, so its whole impl (admission, recording, transitions) lives in this one file

use std::sync::Arc;
use std::time::Duration;

use crate::backoff::{Jitter, random_seed};
use crate::clock::{Clock, nanos};
use crate::events::{Event, EventReceiver, Events};
use crate::export::Export;
use crate::state::StateWord;
use crate::stats::{Metrics, Stats, share};
use crate::streak::Streak;
use crate::sync::{AtomicU64, Mutex, MutexGuard, Ordering, lock};
use crate::trials::{Thresholds, TrialSlot, Trials};
use crate::window::{Mark, Window};
use crate::{Config, Outcome, Rejected, State};

/// What a permit remembers about its admission: three plain words, so that
/// it moves in registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    generation: u64,
    started: u64,
    trial: u64,
}

impl Ticket {
    #[inline]
    fn plain(generation: u64, started: u64) -> Self {
        Self { generation, started, trial: 0 }
    }

    fn trial(generation: u64, started: u64, slot: TrialSlot) -> Self {
        Self { generation, started, trial: slot.to_bits() }
    }

    /// Makes the ticket plain, so that dropping its permit frees nothing:
    /// done once its outcome is recorded.
    #[inline]
    pub(crate) fn disarm(&mut self) {
        self.trial = 0;
    }

    #[inline]
    pub(crate) fn is_plain(&self) -> bool {
        self.trial == 0
    }

    fn trial_slot(&self) -> Option<TrialSlot> {
        TrialSlot::from_bits(self.trial)
    }
}

/// Data that only changes under the slow-path lock.
#[derive(Debug)]
struct SlowPath {
    trials: Trials,
    trips: u32,
    jitter: Jitter,
}

/// Everything a breaker and its handles share.
pub(crate) struct Core {
    state: AtomicU64,
    open_until: AtomicU64,
    window: Window,
    streak: Streak,
    slow_path: Mutex<SlowPath>,
    config: Config,
    clock: Arc<dyn Clock>,
    events: Events,
    stats: Stats,
    export: Export,
    slow_nanos: Option<u64>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("state", &self.word().state())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A closed breaker; `config` must be valid.
    pub(crate) fn new(config: Config, clock: Arc<dyn Clock>) -> Self {
        let jitter = Jitter::new(config.jitter, config.jitter_seed.unwrap_or_else(random_seed));
        let export = Export::new(&config.name);
        export.state(State::Closed);
        Self {
            state: AtomicU64::new(StateWord::new(0, State::Closed).0),
            open_until: AtomicU64::new(0),
            window: Window::new(config.window),
            streak: Streak::new(),
            slow_path: Mutex::new(SlowPath { trials: Trials::new(), trips: 0, jitter }),
            slow_nanos: config.slow_calls.map(|slow| nanos(slow.threshold)),
            config,
            clock,
            events: Events::new(),
            stats: Stats::new(),
            export,
        }
    }

    #[inline]
    pub(crate) fn word(&self) -> StateWord {
        StateWord(self.state.load(Ordering::Acquire))
    }

    #[inline]
    fn now(&self) -> u64 {
        nanos(self.clock.now())
    }

    fn lock(&self) -> MutexGuard<'_, SlowPath> {
        lock(&self.slow_path)
    }

    /// Lets a call start, or says why not. Lock-free and allocation-free in
    /// the closed and disabled states.
    #[inline]
    pub(crate) fn admit(&self) -> Result<Ticket, Rejected> {
        // Unpacked before the merge, so that the closed path's ticket stays
        // in registers instead of going through the slow path's memory.
        let ticket = match self.admit_fast() {
            Some(ticket) => ticket,
            None => self.admit_slow(self.word())?,
        };
        Ok(ticket)
    }

    /// Admission in the closed and disabled states; `None` in the others.
    #[inline]
    fn admit_fast(&self) -> Option<Ticket> {
        let word = self.word();
        if word.state().records_window() {
            let started = if self.slow_nanos.is_some() { self.now() } else { 0 };
            return Some(Ticket::plain(word.generation(), started));
        }
        None
    }

    #[inline(never)]
    fn admit_slow(&self, word: StateWord) -> Result<Ticket, Rejected> {
        let now = self.now();
        if word.state() == State::Open {
            let until = self.open_until.load(Ordering::Acquire);
            if now < until {
                return Err(self.reject(State::Open, Duration::from_nanos(until - now)));
            }
        }
        let mut locked = self.lock();
        loop {
            if let Some(admission) = self.admit_locked(&mut locked, now) {
                return admission;
            }
        }
    }

    /// One step of admission under the lock; `None` after a transition, when
    /// the new state must be looked at.
    fn admit_locked(&self, locked: &mut SlowPath, now: u64) -> Option<Result<Ticket, Rejected>> {
        let word = self.word();
        match word.state() {
            State::Closed | State::Disabled => Some(Ok(Ticket::plain(word.generation(), now))),
            State::ForcedOpen => {
                let hint = self.config.open_wait.base(0);
                Some(Err(self.reject(State::ForcedOpen, hint)))
            }
            State::Open => {
                let until = self.open_until.load(Ordering::Acquire);
                if now < until {
                    return Some(Err(self.reject(State::Open, Duration::from_nanos(until - now))));
                }
                self.transition(locked, word, State::HalfOpen);
                None
            }
            State::HalfOpen => self.lease_trial(locked, word, now),
        }
    }

    /// Leases a trial slot; `None` if expired leases just decided a
    /// transition, so admission must look at the new state.
    fn lease_trial(
        &self,
        locked: &mut SlowPath,
        word: StateWord,
        now: u64,
    ) -> Option<Result<Ticket, Rejected>> {
        if locked.trials.expire(now) > 0 && self.conclude_trials(locked, word) {
            return None;
        }
        let deadline = now.saturating_add(nanos(self.config.trial_lease));
        Some(match locked.trials.lease(now, deadline) {
            Ok(trial) => Ok(Ticket::trial(word.generation(), now, trial)),
            Err(wait) => Err(self.reject(State::HalfOpen, Duration::from_nanos(wait))),
        })
    }

    fn reject(&self, state: State, retry_after: Duration) -> Rejected {
        self.stats.rejected();
        self.export.rejected();
        self.events.publish(Event::Rejected { state, retry_after });
        Rejected { state, retry_after }
    }

    /// A receiver of the breaker's events, with room for `capacity` of them.
    pub(crate) fn subscribe(&self, capacity: usize) -> EventReceiver {
        self.events.subscribe(capacity)
    }

    /// A snapshot of the state and counters.
    pub(crate) fn metrics(&self) -> Metrics {
        let word = self.word();
        let generation = word.generation();
        let window = self.window.totals(generation, self.now());
        self.stats.snapshot(word.state(), window, self.streak.get(generation))
    }
}

/// Recording: what a finished call does to the breaker.
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
    fn conclude_trials(&self, locked: &mut SlowPath, word: StateWord) -> bool {
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

/// Transitions and the operator's overrides.
impl Core {
    /// Moves from `from` (the current word) to `to`, one generation later,
    /// and prepares the new state's data before publishing it.
    fn transition(&self, locked: &mut SlowPath, from: StateWord, to: State) {
        let next = from.next(to);
        match to {
            State::Open => {
                let wait = locked.jitter.apply(self.config.open_wait.base(locked.trips));
                locked.trips = locked.trips.saturating_add(1);
                let until = self.now().saturating_add(nanos(wait));
                self.open_until.store(until, Ordering::Release);
            }
            State::HalfOpen => locked.trials.restart(self.config.half_open_trials),
            State::Closed | State::Disabled => {
                self.window.reset(next.generation());
                self.streak.reset(next.generation());
                if to == State::Closed {
                    locked.trips = 0;
                }
            }
            State::ForcedOpen => {}
        }
        self.state.store(next.0, Ordering::Release);
        self.stats.transition();
        self.export.state(to);
        self.events.publish(Event::StateTransition { from: from.state(), to });
    }

    /// An operator's move to `to`: closed (a reset, with an empty window),
    /// disabled or forced-open. A move to the current state still starts it
    /// afresh.
    pub(crate) fn force(&self, to: State) {
        let mut locked = self.lock();
        let word = self.word();
        self.transition(&mut locked, word, to);
    }
}
