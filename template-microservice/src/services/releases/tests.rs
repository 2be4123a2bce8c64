//! The release worker against a queue in memory: delivery, retries with backoff, moot
//! releases.

use std::sync::Mutex;

use async_trait::async_trait;
use uuid::Uuid;

use super::*;
use crate::services::fakes::FakeInventory;

/// Due releases in memory; records what the worker reports.
#[derive(Default)]
struct FakeQueue {
    due: Mutex<Vec<DueRelease>>,
    done: Mutex<Vec<Uuid>>,
    retried: Mutex<Vec<(Uuid, Duration)>>,
}

#[async_trait]
impl ReleaseQueue for FakeQueue {
    async fn expire_pending(&self, _ttl: Duration, _limit: u32) -> RepositoryResult<u64> {
        Ok(0)
    }

    async fn claim_due(&self, _: u32, _: Duration) -> RepositoryResult<Vec<DueRelease>> {
        Ok(std::mem::take(&mut *self.due.lock().unwrap()))
    }

    async fn mark_done(&self, order_id: Uuid) -> RepositoryResult<()> {
        self.done.lock().unwrap().push(order_id);
        Ok(())
    }

    async fn retry_later(&self, order_id: Uuid, delay: Duration) -> RepositoryResult<()> {
        self.retried.lock().unwrap().push((order_id, delay));
        Ok(())
    }
}

fn due(moot: bool, attempts: u32) -> DueRelease {
    DueRelease { order_id: Uuid::now_v7(), attempts, traceparent: None, moot }
}

fn worker(queue: &Arc<FakeQueue>, inventory: Arc<dyn Inventory>) -> ReleaseWorker {
    let config = ReleaseConfig {
        pending_ttl: Duration::from_mins(1),
        poll_interval: Duration::from_secs(1),
    };
    ReleaseWorker::new(queue.clone(), inventory, ReleaseSignal::default(), config)
}

#[tokio::test]
async fn due_releases_are_delivered_and_moot_ones_only_marked_done() {
    let queue = Arc::new(FakeQueue::default());
    let inventory = Arc::new(FakeInventory::new(|| Ok(())));
    let (real, moot) = (due(false, 1), due(true, 1));
    queue.due.lock().unwrap().extend([real.clone(), moot.clone()]);
    assert_eq!(worker(&queue, inventory.clone()).pass().await.unwrap(), 2);
    assert_eq!(*inventory.released.lock().unwrap(), [real.order_id], "no call for a moot one");
    let mut done = queue.done.lock().unwrap().clone();
    done.sort();
    let mut expected = vec![real.order_id, moot.order_id];
    expected.sort();
    assert_eq!(done, expected);
}

/// An inventory whose releases always fail.
struct Refusing;

#[async_trait]
impl Inventory for Refusing {
    async fn reserve(
        &self,
        _: &crate::services::inventory::Reservation,
        _: TraceContext,
    ) -> Result<(), crate::services::inventory::InventoryError> {
        Ok(())
    }

    async fn release(
        &self,
        _: Uuid,
        _: TraceContext,
    ) -> Result<(), crate::services::inventory::InventoryError> {
        Err(crate::services::inventory::InventoryError::Failed("down".into()))
    }
}

#[tokio::test]
async fn failed_releases_are_tried_again_later_and_later() {
    let queue = Arc::new(FakeQueue::default());
    let releases = [due(false, 1), due(false, 3), due(false, 30)];
    queue.due.lock().unwrap().extend(releases.clone());
    worker(&queue, Arc::new(Refusing)).pass().await.unwrap();
    assert!(queue.done.lock().unwrap().is_empty());
    let retried = queue.retried.lock().unwrap().clone();
    let delay = |id| retried.iter().find(|(order, _)| *order == id).map(|(_, delay)| *delay);
    assert_eq!(delay(releases[0].order_id), Some(Duration::from_secs(1)));
    assert_eq!(delay(releases[1].order_id), Some(Duration::from_secs(4)));
    assert_eq!(delay(releases[2].order_id), Some(MAX_BACKOFF), "capped");
}
