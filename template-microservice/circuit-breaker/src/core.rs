//! The shared state of a breaker, and admission: deciding whether a call may
//! start.
//!
//! The state and its generation live in one atomic word. In the closed and
//! disabled states admission is that single load. Every other state, and
//! every transition, goes through the slow path under a mutex.

use std::sync::Arc;
use std::time::Duration;

use crate::backoff::{Jitter, random_seed};
use crate::clock::{Clock, nanos};
use crate::events::{Event, Events};
use crate::export::Export;
use crate::state::StateWord;
use crate::stats::{Metrics, Stats};
use crate::streak::Streak;
use crate::sync::{AtomicU64, Mutex, MutexGuard, Ordering, lock};
use crate::trials::{TrialSlot, Trials};
use crate::window::Window;
use crate::{Config, Rejected, State};

/// What a permit remembers about its admission: three plain words, so that
/// it moves in registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub(crate) generation: u64,
    pub(crate) started: u64,
    trial: u64,
}

impl Ticket {
    #[inline]
    pub(crate) fn plain(generation: u64, started: u64) -> Self {
        Self { generation, started, trial: 0 }
    }

    pub(crate) fn trial(generation: u64, started: u64, slot: TrialSlot) -> Self {
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

    pub(crate) fn trial_slot(&self) -> Option<TrialSlot> {
        TrialSlot::from_bits(self.trial)
    }
}

/// Data that only changes under the slow-path lock.
#[derive(Debug)]
pub(crate) struct SlowPath {
    pub(crate) trials: Trials,
    pub(crate) trips: u32,
    pub(crate) jitter: Jitter,
}

/// Everything a breaker and its handles share.
pub(crate) struct Core {
    pub(crate) state: AtomicU64,
    pub(crate) open_until: AtomicU64,
    pub(crate) window: Window,
    pub(crate) streak: Streak,
    pub(crate) slow_path: Mutex<SlowPath>,
    pub(crate) config: Config,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) events: Events,
    pub(crate) stats: Stats,
    pub(crate) export: Export,
    pub(crate) slow_nanos: Option<u64>,
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
    pub(crate) fn now(&self) -> u64 {
        nanos(self.clock.now())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, SlowPath> {
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
    pub(crate) fn admit_fast(&self) -> Option<Ticket> {
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

    /// A snapshot of the state and counters.
    pub(crate) fn metrics(&self) -> Metrics {
        let word = self.word();
        let generation = word.generation();
        let window = self.window.totals(generation, self.now());
        self.stats.snapshot(word.state(), window, self.streak.get(generation))
    }
}
