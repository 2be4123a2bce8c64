//! Events for subscribers: state transitions, rejections and slow calls.
//!
//! Each subscriber has a bounded queue. Publishing uses `try_send` only: when
//! a subscriber is slow and its queue is full, the event is dropped for it and
//! counted in [`EventReceiver::dropped`], so no caller ever waits on a
//! subscriber. With no subscriber, publishing costs one relaxed load.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use crate::State;
use crate::sync::{AtomicU64, AtomicUsize, Mutex, Ordering, lock};

/// Something that happened to a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The breaker moved from one state to another.
    StateTransition {
        /// The state it left.
        from: State,
        /// The state it entered.
        to: State,
    },
    /// A call was refused.
    Rejected {
        /// The state that refused it.
        state: State,
        /// The retry-after hint given to the caller.
        retry_after: Duration,
    },
    /// A call took at least the slow-call threshold.
    SlowCall {
        /// How long it took.
        duration: Duration,
    },
}

/// The receiving end of a subscription, from [`crate::Handle::subscribe`].
#[derive(Debug)]
pub struct EventReceiver {
    events: Receiver<Event>,
    dropped: Arc<AtomicU64>,
}

impl EventReceiver {
    /// The next event, if one is queued.
    #[must_use]
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting at most `timeout` (blocks this thread: run it
    /// on a thread of its own, or use [`EventReceiver::try_recv`]).
    #[must_use]
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Events lost because this subscriber's queue was full.
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[derive(Debug)]
struct Subscriber {
    events: SyncSender<Event>,
    dropped: Arc<AtomicU64>,
}

/// The publishing side, owned by the breaker.
#[derive(Debug)]
pub(crate) struct Events {
    subscribers: Mutex<Vec<Subscriber>>,
    count: AtomicUsize,
}

impl Events {
    pub(crate) fn new() -> Self {
        Self { subscribers: Mutex::new(Vec::new()), count: AtomicUsize::new(0) }
    }

    /// A new subscriber whose queue holds up to `capacity` events.
    pub(crate) fn subscribe(&self, capacity: usize) -> EventReceiver {
        let (sender, receiver) = mpsc::sync_channel(capacity.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        let mut subscribers = lock(&self.subscribers);
        subscribers.push(Subscriber { events: sender, dropped: Arc::clone(&dropped) });
        self.count.store(subscribers.len(), Ordering::Release);
        EventReceiver { events: receiver, dropped }
    }

    /// Whether anyone listens: lets callers skip building an event.
    pub(crate) fn any(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    /// Offers `event` to every subscriber without waiting; forgets the
    /// subscribers whose receiver is gone.
    pub(crate) fn publish(&self, event: Event) {
        if !self.any() {
            return;
        }
        let mut subscribers = lock(&self.subscribers);
        subscribers.retain(|subscriber| match subscriber.events.try_send(event) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                subscriber.dropped.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
        self.count.store(subscribers.len(), Ordering::Release);
    }
}
