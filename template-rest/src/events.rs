//! Domain events: typed, published by the services after the change is committed, and
//! delivered to subscribers off the request path (the counterpart of a typed `EventEmitter`).
//!
//! Each subscriber has its own bounded queue and worker task. Publishing never waits: when a
//! queue is full the event is dropped for that subscriber and counted. A subscriber that fails
//! or panics is logged and isolated; the request that published the event has already been
//! answered, and other subscribers are unaffected. Events live in memory, so they are
//! notifications, not a log: work that must not be lost belongs in a transactional outbox.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Something that happened to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    /// A user registered.
    UserRegistered {
        /// The new user.
        user_id: Uuid,
        /// Their email.
        email: String,
        /// Their display name.
        name: String,
    },
    /// A user was deleted.
    UserDeleted {
        /// The deleted user.
        user_id: Uuid,
    },
    /// A user changed their password.
    PasswordChanged {
        /// The user.
        user_id: Uuid,
        /// Their email, to warn them.
        email: String,
    },
}

/// Why a subscriber could not handle an event.
pub type SubscriberError = Box<dyn std::error::Error + Send + Sync>;

/// Receives events, one at a time, in publication order.
#[async_trait]
pub trait Subscriber: Send + Sync + 'static {
    /// A name for logs and metrics.
    fn name(&self) -> &'static str;

    /// Handles one event.
    ///
    /// # Errors
    /// Any failure; it is logged and does not stop later events.
    async fn handle(&self, event: &DomainEvent) -> Result<(), SubscriberError>;
}

/// Events waiting per subscriber before new ones are dropped.
pub(crate) const QUEUE_CAPACITY: usize = 1024;

/// Publishes events to every subscriber.
#[derive(Clone, Default)]
pub(crate) struct EventBus {
    queues: Arc<Vec<(&'static str, mpsc::Sender<DomainEvent>)>>,
}

impl EventBus {
    /// Starts one worker task per subscriber. Must be called inside a Tokio runtime.
    #[must_use]
    pub(crate) fn start(subscribers: Vec<Arc<dyn Subscriber>>) -> Self {
        let queues = subscribers
            .into_iter()
            .map(|subscriber| {
                let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
                let name = subscriber.name();
                tokio::spawn(deliver(subscriber, receiver));
                (name, sender)
            })
            .collect();
        Self { queues: Arc::new(queues) }
    }

    /// Hands `event` to every subscriber without waiting.
    pub(crate) fn publish(&self, event: &DomainEvent) {
        for (name, queue) in self.queues.iter() {
            if let Err(error) = queue.try_send(event.clone()) {
                tracing::warn!(subscriber = name, %error, "event dropped");
                metrics::counter!("events_dropped_total", "subscriber" => *name).increment(1);
            }
        }
    }
}

/// A subscriber's worker: events one at a time, in order.
async fn deliver(subscriber: Arc<dyn Subscriber>, mut receiver: mpsc::Receiver<DomainEvent>) {
    while let Some(event) = receiver.recv().await {
        handle_isolated(subscriber.clone(), event).await;
    }
}

/// Runs one event in its own task, so that a panic is contained and logged.
async fn handle_isolated(subscriber: Arc<dyn Subscriber>, event: DomainEvent) {
    let name = subscriber.name();
    let outcome = tokio::spawn(async move { subscriber.handle(&event).await }).await;
    let error = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error.to_string(),
        Err(panic) => panic.to_string(),
    };
    tracing::warn!(subscriber = name, %error, "subscriber failed");
    metrics::counter!("event_subscriber_failures_total", "subscriber" => name).increment(1);
}
