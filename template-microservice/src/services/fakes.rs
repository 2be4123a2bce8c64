//! In-process fakes of the service's traits, for unit tests of the services and `/metrics`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::order::Order;
use crate::domain::page::PageRequest;
use crate::domain::trace::TraceContext;
use crate::outbox::{Backlog, Outbox, OutboxClaim, OutboxEvent, StoreError};
use crate::repositories::{
    OrderRepository, Release, RepositoryError, RepositoryResult, SettleOutcome, Settlement,
};
use crate::services::inventory::{Inventory, InventoryError, Reservation};

/// Orders and outbox rows in memory.
#[derive(Debug, Default)]
pub(crate) struct FakeStore {
    pub(crate) orders: Mutex<Vec<Order>>,
    pub(crate) outbox: Mutex<Vec<(OutboxEvent, bool)>>,
    pub(crate) fail: Mutex<bool>,
    /// Makes `create` alone fail, as a commit that fails while the database still answers.
    pub(crate) fail_create: Mutex<bool>,
    /// The releases recorded.
    pub(crate) releases: Mutex<Vec<Release>>,
    /// How many times the backlog was read.
    pub(crate) backlog_reads: AtomicUsize,
}

impl FakeStore {
    fn check(&self) -> RepositoryResult<()> {
        if *self.fail.lock().expect("lock") {
            return Err(RepositoryError::Unavailable("down".into()));
        }
        Ok(())
    }

    /// Adds an unsent event.
    pub(crate) fn add_event(&self, id: Uuid) {
        let event = OutboxEvent {
            id,
            subject: "events.x".into(),
            payload: b"{}".to_vec(),
            traceparent: None,
        };
        self.outbox.lock().expect("lock").push((event, false));
    }

    /// Events not yet sent.
    pub(crate) fn unsent(&self) -> usize {
        self.outbox.lock().expect("lock").iter().filter(|(_, sent)| !sent).count()
    }
}

#[async_trait]
impl OrderRepository for FakeStore {
    async fn create(&self, order: &Order, event: &OutboxEvent) -> RepositoryResult<()> {
        self.check()?;
        if *self.fail_create.lock().expect("lock") {
            return Err(RepositoryError::Other("the commit failed".into()));
        }
        self.orders.lock().expect("lock").push(order.clone());
        self.outbox.lock().expect("lock").push((event.clone(), false));
        Ok(())
    }

    async fn record_release(&self, release: &Release) -> RepositoryResult<()> {
        self.check()?;
        self.releases.lock().expect("lock").push(release.clone());
        Ok(())
    }

    async fn find(&self, id: Uuid) -> RepositoryResult<Option<Order>> {
        self.check()?;
        Ok(self.orders.lock().expect("lock").iter().find(|order| order.id == id).cloned())
    }

    async fn list_by_owner(
        &self,
        owner: Uuid,
        page: PageRequest,
    ) -> RepositoryResult<(Vec<Order>, u64)> {
        self.check()?;
        let orders = self.orders.lock().expect("lock");
        let mine: Vec<_> = orders.iter().filter(|order| order.owner_id == owner).cloned().collect();
        let total = mine.len() as u64;
        let skip = usize::try_from(page.offset()).unwrap_or(0);
        Ok((mine.into_iter().skip(skip).take(page.per_page as usize).collect(), total))
    }

    async fn settle_all(&self, settlements: &[Settlement]) -> RepositoryResult<Vec<SettleOutcome>> {
        self.check()?;
        Ok(vec![SettleOutcome::Applied; settlements.len()])
    }
}

/// A claim on the fake outbox.
struct FakeClaim {
    store: Arc<FakeStore>,
    events: Vec<OutboxEvent>,
}

#[async_trait]
impl OutboxClaim for FakeClaim {
    fn events(&self) -> &[OutboxEvent] {
        &self.events
    }

    async fn mark_sent(self: Box<Self>, ids: &[Uuid]) -> Result<(), StoreError> {
        let mut outbox = self.store.outbox.lock().expect("lock");
        outbox
            .iter_mut()
            .filter(|(event, _)| ids.contains(&event.id))
            .for_each(|(_, sent)| *sent = true);
        Ok(())
    }
}

/// The outbox side of a [`FakeStore`].
#[derive(Debug, Clone, Default)]
pub(crate) struct FakeOutbox(pub Arc<FakeStore>);

#[async_trait]
impl Outbox for FakeOutbox {
    async fn claim(&self, limit: u32) -> Result<Box<dyn OutboxClaim>, StoreError> {
        self.0.check()?;
        let outbox = self.0.outbox.lock().expect("lock");
        let unsent = outbox.iter().filter(|(_, sent)| !sent).map(|(event, _)| event.clone());
        let events = unsent.take(limit as usize).collect();
        Ok(Box::new(FakeClaim { store: Arc::clone(&self.0), events }))
    }

    async fn backlog(&self) -> Result<Backlog, StoreError> {
        self.0.backlog_reads.fetch_add(1, Ordering::SeqCst);
        self.0.check()?;
        Ok(Backlog { depth: self.0.unsent() as u64, oldest_age_secs: 0.0 })
    }

    async fn purge_sent(&self, _age: Duration) -> Result<u64, StoreError> {
        let mut outbox = self.0.outbox.lock().expect("lock");
        let before = outbox.len();
        outbox.retain(|(_, sent)| !sent);
        Ok((before - outbox.len()) as u64)
    }
}

/// An inventory that answers reservations what it is told to, and records releases.
#[derive(Debug)]
pub(crate) struct FakeInventory {
    answer: fn() -> Result<(), InventoryError>,
    /// The orders whose reservation was released.
    pub(crate) released: Mutex<Vec<Uuid>>,
}

impl FakeInventory {
    /// An inventory answering reservations with `answer`.
    pub(crate) fn new(answer: fn() -> Result<(), InventoryError>) -> Self {
        Self { answer, released: Mutex::default() }
    }
}

#[async_trait]
impl Inventory for FakeInventory {
    async fn reserve(&self, _: &Reservation, _: TraceContext) -> Result<(), InventoryError> {
        (self.answer)()
    }

    async fn release(&self, order_id: Uuid, _: TraceContext) -> Result<(), InventoryError> {
        self.released.lock().expect("lock").push(order_id);
        Ok(())
    }
}
