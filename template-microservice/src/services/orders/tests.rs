//! The order rules against fakes: validation, the inventory's answers, visibility, paging.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::OrderService;
use crate::domain::order::OrderItem;
use crate::domain::page::PageRequest;
use crate::domain::trace::TraceContext;
use crate::error::AppError;
use crate::repositories::ReleaseReason;
use crate::services::OutboxSignal;
use crate::services::fakes::{FakeInventory, FakeStore};
use crate::services::inventory::InventoryError;

fn service(store: &Arc<FakeStore>, answer: fn() -> Result<(), InventoryError>) -> OrderService {
    service_with(store, &Arc::new(FakeInventory::new(answer)))
}

fn service_with(store: &Arc<FakeStore>, inventory: &Arc<FakeInventory>) -> OrderService {
    let signals = (OutboxSignal::default(), OutboxSignal::default());
    OrderService::new(store.clone(), inventory.clone(), signals.0, signals.1)
}

fn items() -> Vec<OrderItem> {
    vec![OrderItem { sku: "ABC-1".into(), quantity: 2 }]
}

#[tokio::test]
async fn a_placed_order_is_stored_with_its_event_and_trace() {
    let store = Arc::new(FakeStore::default());
    let trace = TraceContext::new_root();
    let order =
        service(&store, || Ok(())).place(Uuid::now_v7(), items(), trace).await.expect("placed");
    let outbox = store.outbox.lock().expect("lock");
    let (event, _) = &outbox[0];
    assert_eq!(event.subject, "events.order.created");
    assert_eq!(event.traceparent, Some(trace.to_string()));
    let envelope: serde_json::Value = serde_json::from_slice(&event.payload).expect("JSON");
    assert_eq!(envelope["id"], event.id.to_string());
    assert_eq!(envelope["data"]["order_id"], order.id.to_string());
}

#[tokio::test]
async fn the_inventory_answers_become_problems() {
    let store = Arc::new(FakeStore::default());
    let place = |answer| async move {
        service(&Arc::new(FakeStore::default()), answer)
            .place(Uuid::now_v7(), items(), TraceContext::new_root())
            .await
    };
    assert!(matches!(place(|| Err(InventoryError::OutOfStock)).await, Err(AppError::Conflict(_))));
    let open =
        place(|| Err(InventoryError::CircuitOpen { retry_after: Duration::from_secs(7) })).await;
    assert!(
        matches!(open, Err(AppError::Unavailable { retry_after, .. }) if retry_after == Duration::from_secs(7))
    );
    let failed = place(|| Err(InventoryError::Failed("boom".into()))).await;
    assert!(matches!(failed, Err(AppError::Unavailable { .. })));
    assert!(store.outbox.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn invalid_items_are_refused_before_the_inventory_is_asked() {
    let store = Arc::new(FakeStore::default());
    let orders = service(&store, || Err(InventoryError::Failed("must not be called".into())));
    let none = orders.place(Uuid::now_v7(), vec![], TraceContext::new_root()).await;
    assert!(matches!(none, Err(AppError::Validation(errors)) if errors[0].field == "items"));
    let bad = vec![
        OrderItem { sku: "ok".into(), quantity: 1 },
        OrderItem { sku: String::new(), quantity: 0 },
    ];
    let refused = orders.place(Uuid::now_v7(), bad, TraceContext::new_root()).await;
    assert!(
        matches!(refused, Err(AppError::Validation(errors)) if errors[0].field == "items[1].sku")
    );
}

#[tokio::test]
async fn owners_see_their_orders_only() {
    let store = Arc::new(FakeStore::default());
    let orders = service(&store, || Ok(()));
    let (owner, stranger) = (Uuid::now_v7(), Uuid::now_v7());
    let order = orders.place(owner, items(), TraceContext::new_root()).await.expect("placed");
    assert_eq!(orders.get(owner, order.id).await.expect("visible").id, order.id);
    assert!(matches!(orders.get(stranger, order.id).await, Err(AppError::NotFound(_))));
    let page = orders.list(owner, PageRequest { page: 1, per_page: 10 }).await.expect("page");
    assert_eq!((page.data.len(), page.meta.total), (1, 1));
    assert_eq!(
        orders.find(order.id).await.expect("found").map(|found| found.owner_id),
        Some(owner)
    );
}

#[tokio::test]
async fn a_database_outage_is_a_503() {
    let store = Arc::new(FakeStore::default());
    *store.fail.lock().expect("lock") = true;
    let placed =
        service(&store, || Ok(())).place(Uuid::now_v7(), items(), TraceContext::new_root()).await;
    assert!(matches!(placed, Err(AppError::Unavailable { .. })));
}

#[tokio::test]
async fn a_failed_commit_records_the_release_of_the_reservation() {
    let store = Arc::new(FakeStore::default());
    *store.fail_create.lock().unwrap() = true;
    let inventory = Arc::new(FakeInventory::new(|| Ok(())));
    let trace = TraceContext::new_root();
    let placed = service_with(&store, &inventory).place(Uuid::now_v7(), items(), trace).await;
    assert!(matches!(placed, Err(AppError::Internal(_))));
    let releases = store.releases.lock().unwrap().clone();
    assert_eq!(releases.len(), 1, "the release is in the outbox");
    assert_eq!(releases[0].reason, ReleaseReason::CommitFailed);
    assert_eq!(releases[0].traceparent, Some(trace.to_string()));
    assert!(inventory.released.lock().unwrap().is_empty(), "the worker delivers it, not place");
    assert!(store.orders.lock().unwrap().is_empty());
}

#[tokio::test]
async fn when_the_database_cannot_record_the_release_the_inventory_is_called_at_once() {
    let store = Arc::new(FakeStore::default());
    *store.fail.lock().unwrap() = true;
    let inventory = Arc::new(FakeInventory::new(|| Ok(())));
    let orders = service_with(&store, &inventory);
    let placed = orders.place(Uuid::now_v7(), items(), TraceContext::new_root()).await;
    assert!(matches!(placed, Err(AppError::Unavailable { .. })));
    assert!(store.releases.lock().unwrap().is_empty());
    assert_eq!(inventory.released.lock().unwrap().len(), 1, "released by a direct call");
}
