//! Settlements in PostgreSQL: one effect per order and per message, even when concurrent.

use uuid::Uuid;

use crate::service::domain::order::{Order, OrderItem, OrderStatus};
use crate::service::repositories::orders::PgOrders;
use crate::service::repositories::{OrderRepository as _, OutboxEvent, SettleOutcome, Settlement};
use crate::support::TestDb;

async fn repository() -> (TestDb, PgOrders) {
    let db = TestDb::new().await;
    crate::service::repositories::pool::migrate(&db.pool).await.expect("migrates");
    let orders = PgOrders::new(db.pool.clone());
    (db, orders)
}

async fn pending(orders: &PgOrders) -> Uuid {
    let order = Order::new(Uuid::now_v7(), vec![OrderItem { sku: "A".into(), quantity: 1 }]);
    let event = OutboxEvent {
        id: Uuid::now_v7(),
        subject: "events.x".into(),
        payload: vec![],
        traceparent: None,
    };
    orders.create(&order, &event).await.expect("stored");
    order.id
}

fn settlement(order_id: Uuid, status: OrderStatus) -> Settlement {
    Settlement { message_id: Uuid::now_v7(), subject: "events.payment.x".into(), order_id, status }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_payments_of_one_order_settle_it_once() {
    let (db, orders) = repository().await;
    let order_id = pending(&orders).await;
    let (paid, failed) =
        (settlement(order_id, OrderStatus::Paid), settlement(order_id, OrderStatus::Cancelled));
    let (first, second) = tokio::join!(orders.settle(&paid), orders.settle(&failed));
    let mut outcomes = [first.expect("settles"), second.expect("settles")];
    outcomes.sort_by_key(|outcome| matches!(outcome, SettleOutcome::Applied));
    assert!(
        matches!(outcomes, [SettleOutcome::AlreadySettled(_), SettleOutcome::Applied]),
        "{outcomes:?}"
    );
    assert_eq!(db.count("SELECT version::bigint FROM orders").await, 2);
    assert_eq!(orders.settle(&paid).await.expect("settles"), SettleOutcome::AlreadyProcessed);
}

#[tokio::test]
async fn a_payment_for_an_unknown_order_records_nothing() {
    let (db, orders) = repository().await;
    let unknown = settlement(Uuid::now_v7(), OrderStatus::Paid);
    assert_eq!(orders.settle(&unknown).await.expect("settles"), SettleOutcome::OrderMissing);
    assert_eq!(db.count("SELECT count(*) FROM inbox").await, 0);
}
