//! In-process fakes of the module's traits: an outbox in memory, a broker that records what
//! it is given, deliveries that record how they were settled, and an inbox of words.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use uuid::Uuid;

use super::{
    Acknowledge, Backlog, Delivery, Inbox, Outbox, OutboxClaim, OutboxEvent, OutgoingMessage,
    StoreError, Transport, TransportError,
};

/// Outbox rows in memory, each with whether it was sent.
#[derive(Debug, Default)]
pub(super) struct MemoryOutbox {
    pub(super) rows: Mutex<Vec<(OutboxEvent, bool)>>,
    /// Makes every call fail, as a database that is down.
    pub(super) down: Mutex<bool>,
}

impl MemoryOutbox {
    pub(super) fn add(&self, id: Uuid) {
        let event = OutboxEvent {
            id,
            subject: "events.x".into(),
            payload: b"{}".to_vec(),
            traceparent: None,
        };
        self.rows.lock().expect("lock").push((event, false));
    }

    pub(super) fn unsent(&self) -> usize {
        self.rows.lock().expect("lock").iter().filter(|(_, sent)| !sent).count()
    }

    fn up(&self) -> Result<(), StoreError> {
        if *self.down.lock().expect("lock") {
            return Err(StoreError::new("down"));
        }
        Ok(())
    }
}

/// The outbox handle the relay holds.
pub(super) struct SharedOutbox(pub(super) Arc<MemoryOutbox>);

struct MemoryClaim {
    outbox: Arc<MemoryOutbox>,
    events: Vec<OutboxEvent>,
}

#[async_trait]
impl Outbox for SharedOutbox {
    async fn claim(&self, limit: u32) -> Result<Box<dyn OutboxClaim>, StoreError> {
        self.0.up()?;
        let rows = self.0.rows.lock().expect("lock");
        let unsent = rows.iter().filter(|(_, sent)| !sent).map(|(event, _)| event.clone());
        let events = unsent.take(limit as usize).collect();
        Ok(Box::new(MemoryClaim { outbox: Arc::clone(&self.0), events }))
    }

    async fn backlog(&self) -> Result<Backlog, StoreError> {
        self.0.up()?;
        Ok(Backlog { depth: self.0.unsent() as u64, oldest_age_secs: 0.0 })
    }

    async fn purge_sent(&self, _age: Duration) -> Result<u64, StoreError> {
        let mut rows = self.0.rows.lock().expect("lock");
        let before = rows.len();
        rows.retain(|(_, sent)| !sent);
        Ok((before - rows.len()) as u64)
    }
}

#[async_trait]
impl OutboxClaim for MemoryClaim {
    fn events(&self) -> &[OutboxEvent] {
        &self.events
    }

    async fn mark_sent(self: Box<Self>, ids: &[Uuid]) -> Result<(), StoreError> {
        let mut rows = self.outbox.rows.lock().expect("lock");
        rows.iter_mut().filter(|(event, _)| ids.contains(&event.id)).for_each(|row| row.1 = true);
        Ok(())
    }
}

/// A broker that stores what it is given, refuses the ids (or subject prefixes) it is told
/// to, and hands out the deliveries queued in it (a pull with none waits, as a broker does).
#[derive(Default)]
pub(super) struct MemoryBroker {
    pub(super) published: Mutex<Vec<OutgoingMessage>>,
    pub(super) refuse: Mutex<HashSet<String>>,
    pub(super) queued: Mutex<VecDeque<Delivery>>,
}

impl MemoryBroker {
    fn refuses(&self, message: &OutgoingMessage) -> bool {
        let refuse = self.refuse.lock().expect("lock");
        refuse.iter().any(|refused| message.id == *refused || message.subject.starts_with(refused))
    }
}

#[async_trait]
impl Transport for MemoryBroker {
    async fn publish(&self, messages: Vec<OutgoingMessage>) -> Vec<Result<(), TransportError>> {
        let results = messages.into_iter().map(|message| {
            if self.refuses(&message) {
                return Err(TransportError::new("refused"));
            }
            self.published.lock().expect("lock").push(message);
            Ok(())
        });
        results.collect()
    }

    async fn pull(
        &self,
        max: u32,
        wait: Duration,
    ) -> Result<BoxStream<'static, Delivery>, TransportError> {
        let batch: Vec<Delivery> = {
            let mut queued = self.queued.lock().expect("lock");
            let take = queued.len().min(max as usize);
            queued.drain(..take).collect()
        };
        if batch.is_empty() {
            tokio::time::sleep(wait).await;
        }
        Ok(futures_util::stream::iter(batch).boxed())
    }
}

/// How each delivery was settled: `ack`, `retry <delay>` or `reject`.
pub(super) type Settlements = Arc<Mutex<Vec<String>>>;

struct RecordedAck(Settlements);

#[async_trait]
impl Acknowledge for RecordedAck {
    async fn ack(&self) -> Result<(), TransportError> {
        self.0.lock().expect("lock").push("ack".to_owned());
        Ok(())
    }

    async fn retry(&self, delay: Duration) -> Result<(), TransportError> {
        self.0.lock().expect("lock").push(format!("retry {delay:?}"));
        Ok(())
    }

    async fn reject(&self) -> Result<(), TransportError> {
        self.0.lock().expect("lock").push("reject".to_owned());
        Ok(())
    }
}

/// Delivery `attempt` of `body` on `events.words`, settled into `settled`.
pub(super) fn delivery(body: &str, attempt: u32, settled: &Settlements) -> Delivery {
    Delivery {
        subject: "events.words".to_owned(),
        headers: vec![
            ("Nats-Msg-Id".to_owned(), body.to_owned()),
            ("k".to_owned(), "v".to_owned()),
        ],
        payload: Bytes::copy_from_slice(body.as_bytes()),
        attempt,
        sequence: 7,
        settle: Box::new(RecordedAck(Arc::clone(settled))),
    }
}

/// An inbox of words: `id:word` is applied once per id; `later:…` is not visible yet; a
/// body without `:` cannot be decoded.
#[derive(Debug, Default)]
pub(super) struct WordInbox {
    pub(super) seen: Mutex<HashSet<String>>,
    /// The words applied, once each.
    pub(super) effects: Mutex<Vec<String>>,
    /// Makes every batch fail, as a database that is down.
    pub(super) down: Mutex<bool>,
}

#[async_trait]
impl Inbox for WordInbox {
    type Message = (String, String);
    type Outcome = &'static str;

    fn decode(&self, delivery: &Delivery) -> Result<Self::Message, String> {
        let body = String::from_utf8_lossy(&delivery.payload);
        let (id, word) = body.split_once(':').ok_or_else(|| "malformed\nbody".to_owned())?;
        Ok((id.to_owned(), word.to_owned()))
    }

    async fn apply_all(
        &self,
        messages: &[Self::Message],
    ) -> Result<Vec<Result<Self::Outcome, String>>, String> {
        if *self.down.lock().expect("lock") {
            return Err("database down".to_owned());
        }
        let apply = |(id, word): &(String, String)| {
            if id == "later" {
                return Err("not visible yet".to_owned());
            }
            if !self.seen.lock().expect("lock").insert(id.clone()) {
                return Ok("duplicate");
            }
            self.effects.lock().expect("lock").push(word.clone());
            Ok("applied")
        };
        Ok(messages.iter().map(apply).collect())
    }
}
