//! A connection's bounded outbound queue.
//!
//! The fan-out pushes without ever waiting: when a client cannot keep up and its queue is full,
//! the push fails, the outbox is marked as overflowed, and the connection closes it with 1013.
//! So a slow client never slows the others, and its memory never grows past the bound. The
//! queue allocates nothing until the first message, which keeps idle connections small.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::RoomEvent;
#[cfg(test)]
use super::{Draft, RoomName};

/// A bounded queue of frames for one connection.
#[derive(Debug)]
pub struct Outbox {
    queue: Mutex<VecDeque<Arc<RoomEvent>>>,
    capacity: usize,
    ready: Notify,
    overflowed: AtomicBool,
    closed: AtomicBool,
}

impl Outbox {
    /// An empty outbox that holds at most `capacity` frames.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: Mutex::new(VecDeque::new()),
            capacity,
            ready: Notify::new(),
            overflowed: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        }
    }

    /// Queues a frame. Returns `false`, and marks the outbox as overflowed, when it is full.
    pub fn push(&self, event: Arc<RoomEvent>) -> bool {
        let accepted = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let fits = queue.len() < self.capacity && !self.is_overflowed();
            if fits {
                queue.push_back(event);
            } else {
                self.overflowed.store(true, Ordering::Release);
            }
            fits
        };
        self.ready.notify_one();
        accepted
    }

    /// Queues several frames at once, with one wake-up, so that the connection writes them
    /// together. Returns `false`, queues none and marks the outbox as overflowed, when they do
    /// not all fit.
    pub fn push_all(&self, events: &[Arc<RoomEvent>]) -> bool {
        let accepted = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let fits = queue.len() + events.len() <= self.capacity && !self.is_overflowed();
            if fits {
                queue.extend(events.iter().cloned());
            } else {
                self.overflowed.store(true, Ordering::Release);
            }
            fits
        };
        self.ready.notify_one();
        accepted
    }

    /// Marks the outbox as overflowed: the connection closes it as too slow.
    pub fn cut_off(&self) {
        self.overflowed.store(true, Ordering::Release);
        self.ready.notify_one();
    }

    /// Holds the queue's lock, so that pushes wait: a stuck fan-out, for tests.
    #[cfg(test)]
    pub(in super::super) fn hold(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<RoomEvent>>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves every queued frame into `batch`, oldest first.
    pub fn drain_into(&self, batch: &mut Vec<Arc<RoomEvent>>) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        batch.extend(queue.drain(..));
        if queue.capacity() > self.capacity {
            queue.shrink_to(self.capacity);
        }
    }

    /// Whether a push failed because the queue was full.
    #[must_use]
    pub fn is_overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Acquire)
    }

    /// Tells the connection to close (the server is shutting down).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.ready.notify_one();
    }

    /// Whether [`Outbox::close`] was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Resolves after the next push (or at once if one happened since the last wait).
    pub async fn ready(&self) {
        self.ready.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::*;

    fn event(id: u64) -> Arc<RoomEvent> {
        let body = RawValue::from_string(id.to_string()).unwrap();
        let message = Draft::now(RoomName::parse("r").unwrap(), "ann".into(), body).stored(id, 0);
        Arc::new(RoomEvent::message(&message))
    }

    #[tokio::test]
    async fn frames_come_out_in_order_and_wake_the_reader() {
        let outbox = Outbox::new(4);
        assert!(outbox.push(event(1)));
        assert!(outbox.push(event(2)));
        outbox.ready().await;
        let mut batch = Vec::new();
        outbox.drain_into(&mut batch);
        let ids: Vec<_> = batch.iter().map(|event| event.id).collect();
        assert_eq!(ids, [Some(1), Some(2)]);
        assert!(!outbox.is_overflowed());
    }

    #[test]
    fn a_full_outbox_refuses_and_stays_overflowed() {
        let outbox = Outbox::new(2);
        assert!(outbox.push(event(1)));
        assert!(outbox.push(event(2)));
        assert!(!outbox.push(event(3)));
        assert!(outbox.is_overflowed());
        let mut batch = Vec::new();
        outbox.drain_into(&mut batch);
        assert_eq!(batch.len(), 2);
        assert!(!outbox.push(event(4)), "an overflowed client is being cut off");
    }

    #[tokio::test]
    async fn several_frames_are_queued_together_or_not_at_all() {
        let outbox = Outbox::new(3);
        assert!(outbox.push(event(1)));
        assert!(outbox.push_all(&[event(2), event(3)]));
        outbox.ready().await;
        let mut batch = Vec::new();
        outbox.drain_into(&mut batch);
        let ids: Vec<_> = batch.iter().map(|event| event.id).collect();
        assert_eq!(ids, [Some(1), Some(2), Some(3)]);
        assert!(outbox.push(event(4)));
        assert!(!outbox.push_all(&[event(5), event(6), event(7)]));
        assert!(outbox.is_overflowed());
        batch.clear();
        outbox.drain_into(&mut batch);
        assert_eq!(batch.len(), 1, "a batch that does not fit is not queued in part");
    }

    #[tokio::test]
    async fn closing_wakes_the_reader() {
        let outbox = Outbox::new(2);
        assert!(!outbox.is_closed());
        outbox.close();
        outbox.ready().await;
        assert!(outbox.is_closed());
    }
}
