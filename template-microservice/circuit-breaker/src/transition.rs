//! State transitions, all made under the slow-path lock, and the operator's
//! overrides.

use crate::State;
use crate::clock::nanos;
use crate::core::{Core, SlowPath};
use crate::events::Event;
use crate::state::StateWord;
use crate::sync::Ordering;

impl Core {
    /// Moves from `from` (the current word) to `to`, one generation later,
    /// and prepares the new state's data before publishing it.
    pub(crate) fn transition(&self, locked: &mut SlowPath, from: StateWord, to: State) {
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
