//! [`Handle`]: the operator's view of a breaker.

use std::sync::Arc;

use crate::core::Core;
use crate::{EventReceiver, Metrics, State};

/// Reads a breaker's state and metrics, forces its state, and subscribes to
/// its events. Cheap to clone; it cannot make calls.
///
/// ```
/// use circuit_breaker::{CircuitBreaker, Event, State};
///
/// let breaker = CircuitBreaker::builder().build()?;
/// let handle = breaker.handle();
/// let events = handle.subscribe(16);
///
/// handle.force_open();
/// assert_eq!(handle.state(), State::ForcedOpen);
/// assert!(breaker.try_acquire().is_err());
/// assert_eq!(handle.metrics().rejected, 1);
///
/// handle.reset();
/// assert_eq!(breaker.state(), State::Closed);
/// assert_eq!(
///     events.try_recv(),
///     Some(Event::StateTransition { from: State::Closed, to: State::ForcedOpen })
/// );
/// # Ok::<(), circuit_breaker::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Handle {
    core: Arc<Core>,
}

impl Handle {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The current state.
    #[must_use]
    pub fn state(&self) -> State {
        self.core.word().state()
    }

    /// A snapshot of the state and counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        self.core.metrics()
    }

    /// Rejects every call until [`Handle::reset`] or [`Handle::disable`].
    pub fn force_open(&self) {
        self.core.force(State::ForcedOpen);
    }

    /// Lets every call pass, still recording them, and never trips.
    pub fn disable(&self) {
        self.core.force(State::Disabled);
    }

    /// Closes the breaker with an empty window and a fresh backoff.
    pub fn reset(&self) {
        self.core.force(State::Closed);
    }

    /// Subscribes to events; the queue holds up to `capacity` of them, and
    /// events that find it full are dropped (see [`EventReceiver::dropped`]).
    #[must_use]
    pub fn subscribe(&self, capacity: usize) -> EventReceiver {
        self.core.subscribe(capacity)
    }
}
