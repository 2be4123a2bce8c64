//! The breaker's states, and their packing with a generation in one word.

use std::fmt;

/// The state of a circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Calls pass and are recorded; the breaker trips when the window says so.
    Closed,
    /// Calls are rejected until the open wait is over.
    Open,
    /// A limited number of trial calls pass; their outcomes close or re-open.
    HalfOpen,
    /// Set by an operator: calls always pass and are still recorded, but the
    /// breaker never trips.
    Disabled,
    /// Set by an operator: calls are always rejected.
    ForcedOpen,
}

impl State {
    const ALL: [Self; 5] =
        [Self::Closed, Self::Open, Self::HalfOpen, Self::Disabled, Self::ForcedOpen];

    /// A stable small number for the state, as exported to metrics:
    /// closed 0, open 1, half-open 2, disabled 3, forced-open 4.
    #[must_use]
    pub fn as_index(self) -> u8 {
        match self {
            Self::Closed => 0,
            Self::Open => 1,
            Self::HalfOpen => 2,
            Self::Disabled => 3,
            Self::ForcedOpen => 4,
        }
    }

    /// Whether calls in this state are recorded into the sliding window.
    #[inline]
    pub(crate) fn records_window(self) -> bool {
        matches!(self, Self::Closed | Self::Disabled)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half-open",
            Self::Disabled => "disabled",
            Self::ForcedOpen => "forced-open",
        };
        f.write_str(name)
    }
}

/// A state and the generation it began, packed as `generation << 3 | state`.
///
/// Every transition increments the generation, so a permit taken in one
/// state can tell, when its call finishes, whether that state still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StateWord(pub(crate) u64);

impl StateWord {
    const STATE_BITS: u32 = 3;
    const STATE_MASK: u64 = (1 << Self::STATE_BITS) - 1;

    pub(crate) fn new(generation: u64, state: State) -> Self {
        Self(generation << Self::STATE_BITS | u64::from(state.as_index()))
    }

    #[inline]
    pub(crate) fn generation(self) -> u64 {
        self.0 >> Self::STATE_BITS
    }

    #[inline]
    pub(crate) fn state(self) -> State {
        // The mask keeps the index below 8 and only `new` builds words, so
        // the index is always one of the five states.
        let index = usize::try_from(self.0 & Self::STATE_MASK).unwrap_or(0);
        State::ALL.get(index).copied().unwrap_or(State::Closed)
    }

    /// The word for the next state, one generation later.
    pub(crate) fn next(self, state: State) -> Self {
        Self::new(self.generation() + 1, state)
    }
}
