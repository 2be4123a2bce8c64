//! A reference model of the breaker: the same rules written as plainly as
//! possible, with a `VecDeque` window, a list of held trials and no atomics,
//! packing or tags. Times are whole milliseconds.

use std::collections::VecDeque;

use circuit_breaker::{Outcome, State};

/// The settings the property test varies.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub window: usize,
    pub minimum_calls: usize,
    pub failure_rate: f64,
    pub slow_rate: Option<f64>,
    pub consecutive: Option<u32>,
    pub trials: usize,
}

/// Fixed by the test: slow threshold, trial lease, and the exponential wait.
pub const SLOW_MS: u64 = 500;
pub const LEASE_MS: u64 = 2_000;
pub const INITIAL_WAIT_MS: u64 = 1_000;
pub const MAX_WAIT_MS: u64 = 8_000;

/// What the model remembers about an admitted call.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    trial: Option<u64>,
    started: u64,
    pub is_trial: bool,
}

/// The reference breaker.
#[derive(Debug)]
pub struct Model {
    settings: Settings,
    pub state: State,
    generation: u64,
    now: u64,
    pub window: VecDeque<(bool, bool)>,
    pub streak: u32,
    open_until: u64,
    trips: u32,
    held: Vec<(u64, u64)>,
    next_id: u64,
    done: usize,
    trial_failures: usize,
    trial_slow: usize,
}

impl Model {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            state: State::Closed,
            generation: 0,
            now: 0,
            window: VecDeque::new(),
            streak: 0,
            open_until: 0,
            trips: 0,
            held: Vec::new(),
            next_id: 0,
            done: 0,
            trial_failures: 0,
            trial_slow: 0,
        }
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Admission: a ticket, or the refusing state and retry-after in ms.
    pub fn acquire(&mut self) -> Result<Ticket, (State, u64)> {
        let ticket = |trial: Option<u64>, generation| Ticket {
            generation,
            trial,
            started: self.now,
            is_trial: trial.is_some(),
        };
        match self.state {
            State::Closed | State::Disabled => Ok(ticket(None, self.generation)),
            State::ForcedOpen => Err((State::ForcedOpen, INITIAL_WAIT_MS)),
            State::Open if self.now < self.open_until => {
                Err((State::Open, self.open_until - self.now))
            }
            State::Open => {
                self.transition(State::HalfOpen);
                self.acquire()
            }
            State::HalfOpen => self.acquire_trial(),
        }
    }

    fn acquire_trial(&mut self) -> Result<Ticket, (State, u64)> {
        let now = self.now;
        let expired = self.held.iter().filter(|(_, deadline)| *deadline <= now).count();
        self.held.retain(|(_, deadline)| *deadline > now);
        // An expired trial is one more failure; its slot is free again.
        self.trial_failures += expired;
        if expired > 0 && self.conclude() {
            return self.acquire();
        }
        if self.held.len() + self.done >= self.settings.trials {
            let wait = self.held.iter().map(|(_, deadline)| deadline - now).min();
            return Err((State::HalfOpen, wait.unwrap_or(0)));
        }
        self.next_id += 1;
        self.held.push((self.next_id, now + LEASE_MS));
        Ok(Ticket {
            generation: self.generation,
            trial: Some(self.next_id),
            started: now,
            is_trial: true,
        })
    }

    pub fn finish(&mut self, ticket: &Ticket, outcome: Outcome) {
        let slow = self.settings.slow_rate.is_some() && self.now - ticket.started >= SLOW_MS;
        let failure = match outcome {
            Outcome::Ignored => return self.cancel(ticket),
            Outcome::Success => false,
            Outcome::Failure => true,
        };
        if ticket.generation != self.generation {
            return;
        }
        match ticket.trial {
            None => self.record(failure, slow),
            Some(id) => self.finish_trial(id, failure, slow),
        }
    }

    pub fn cancel(&mut self, ticket: &Ticket) {
        if ticket.generation == self.generation {
            self.held.retain(|(id, _)| Some(*id) != ticket.trial);
        }
    }

    fn record(&mut self, failure: bool, slow: bool) {
        self.window.push_back((failure, slow));
        if self.window.len() > self.settings.window {
            self.window.pop_front();
        }
        self.streak = if failure { self.streak + 1 } else { 0 };
        if (failure || slow) && self.state == State::Closed && self.should_trip() {
            self.transition(State::Open);
        }
    }

    fn should_trip(&self) -> bool {
        if self.settings.consecutive.is_some_and(|limit| self.streak >= limit) {
            return true;
        }
        let total = self.window.len();
        if total == 0 || total < self.settings.minimum_calls {
            return false;
        }
        let failures = self.window.iter().filter(|(failure, _)| *failure).count();
        let slow = self.window.iter().filter(|(_, slow)| *slow).count();
        let share = |count: usize| as_f64(count) / as_f64(total);
        share(failures) >= self.settings.failure_rate
            || self.settings.slow_rate.is_some_and(|rate| share(slow) >= rate)
    }

    fn finish_trial(&mut self, id: u64, failure: bool, slow: bool) {
        let before = self.held.len();
        self.held.retain(|(held, _)| *held != id);
        if self.held.len() == before {
            return;
        }
        self.done += 1;
        self.trial_failures += usize::from(failure);
        self.trial_slow += usize::from(slow);
        self.conclude();
    }

    fn conclude(&mut self) -> bool {
        let permitted = as_f64(self.settings.trials);
        let reaches = |count: usize, rate: Option<f64>| {
            rate.is_some_and(|rate| as_f64(count) >= rate * permitted)
        };
        let (failure_rate, slow_rate) = (Some(self.settings.failure_rate), self.settings.slow_rate);
        let remaining = self.settings.trials - self.done;
        let verdict =
            if reaches(self.trial_failures, failure_rate) || reaches(self.trial_slow, slow_rate) {
                State::Open
            } else if !reaches(self.trial_failures + remaining, failure_rate)
                && !reaches(self.trial_slow + remaining, slow_rate)
            {
                State::Closed
            } else {
                return false;
            };
        self.transition(verdict);
        true
    }

    pub fn transition(&mut self, to: State) {
        self.generation += 1;
        match to {
            State::Open => {
                let wait = INITIAL_WAIT_MS.saturating_mul(1 << self.trips.min(16));
                self.trips += 1;
                self.open_until = self.now + wait.min(MAX_WAIT_MS);
            }
            State::HalfOpen => {
                self.held.clear();
                (self.done, self.trial_failures, self.trial_slow) = (0, 0, 0);
            }
            State::Closed | State::Disabled => {
                self.window.clear();
                self.streak = 0;
                if to == State::Closed {
                    self.trips = 0;
                }
            }
            State::ForcedOpen => {}
        }
        self.state = to;
    }
}

fn as_f64(count: usize) -> f64 {
    f64::from(u32::try_from(count).expect("small counts"))
}
