//! Reservations are released at the inventory when their order will never be paid: when the
//! order's commit fails after the stock was reserved, when its payment fails, and when it
//! stays pending past `PENDING_ORDER_TTL_SECS`. Each release is written to the
//! `reservation_releases` table (the outbox of calls to the inventory) and delivered from
//! there, again and again until the inventory answers (between two attempts, the circuit
//! breaker of the inventory client may open and fail some of them without a call).
//!
//! The commit failure is made by the test database itself: a trigger refuses every insert
//! into `orders`, after the reservation was made; the rest of the database works, so the
//! release can be recorded. (A database that is wholly down cannot record it: then the
//! service calls the inventory at once, which the unit tests of `services::orders` show.)

use std::time::Duration;

use hyper::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::broker::publish;
use crate::support::{Mode, QUICK_BREAKER, TestApp, eventually};

const REFUSE_ORDERS: &str = "
    CREATE FUNCTION refuse_orders() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the commit fails'; END $$;
    CREATE TRIGGER refuse_orders BEFORE INSERT ON orders
        FOR EACH ROW EXECUTE FUNCTION refuse_orders();";

/// Whether the release of `order_id` is recorded and marked delivered.
async fn delivered(app: &TestApp, order_id: &str) -> bool {
    let query = format!(
        "SELECT count(*) FROM reservation_releases
         WHERE order_id = '{order_id}' AND done_at IS NOT NULL"
    );
    app.db.count(&query).await == 1 && app.inventory.released().contains(&order_id.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_releases_the_reservation_through_the_outbox() {
    let mut app = TestApp::spawn_with(&QUICK_BREAKER).await;
    sqlx::raw_sql(REFUSE_ORDERS).execute(&app.db.pool).await.expect("trigger");
    app.inventory.set_release_mode(Mode::Fail);
    let failed = app.place_order(Uuid::now_v7()).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.body);
    assert_eq!(app.inventory.calls(), 1, "the stock was reserved before the commit failed");
    let recorded = "SELECT count(*) FROM reservation_releases WHERE done_at IS NULL";
    assert_eq!(app.db.count(recorded).await, 1, "the release is in the outbox");
    let retried = eventually(Duration::from_secs(10), || async {
        app.db.count("SELECT max(attempts)::bigint FROM reservation_releases").await >= 2
    });
    assert!(retried.await, "a refused release is claimed again from the outbox");
    assert!(app.inventory.release_calls() >= 2, "and the inventory was called");
    assert!(app.inventory.released().is_empty());
    app.inventory.set_release_mode(Mode::Reserve);
    let order_id: Uuid = sqlx::query_scalar("SELECT order_id FROM reservation_releases")
        .fetch_one(&app.db.pool)
        .await
        .expect("one release");
    let order_id = order_id.to_string();
    let done = eventually(Duration::from_secs(20), || delivered(&app, &order_id));
    assert!(done.await, "the release is delivered once the inventory answers");
    assert_eq!(app.inventory.released(), [order_id], "and only once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_payment_releases_the_reservation() {
    let mut app = TestApp::spawn().await;
    let placed = app.place_order(Uuid::now_v7()).await;
    let order_id = placed.body["id"].as_str().expect("id").to_owned();
    let envelope = json!({
        "id": Uuid::now_v7(), "type": "payment.failed", "version": 1,
        "time": "2026-01-01T00:00:00Z", "data": { "order_id": order_id },
    });
    publish(&app.nats.url(), "events.payment.failed", &envelope, None).await;
    let done = eventually(Duration::from_secs(10), || delivered(&app, &order_id));
    assert!(done.await, "the cancelled order's stock is released");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_pending_too_long_expires_and_is_released_but_a_paid_one_stays() {
    let mut app = TestApp::spawn_with(&[("PENDING_ORDER_TTL_SECS", "1")]).await;
    let paid = app.place_order(Uuid::now_v7()).await.body["id"].as_str().expect("id").to_owned();
    let envelope = json!({
        "id": Uuid::now_v7(), "type": "payment.completed", "version": 1,
        "time": "2026-01-01T00:00:00Z", "data": { "order_id": paid },
    });
    publish(&app.nats.url(), "events.payment.completed", &envelope, None).await;
    let paid_status =
        format!("SELECT count(*) FROM orders WHERE id = '{paid}' AND status = 'paid'");
    let settled =
        eventually(Duration::from_secs(5), || async { app.db.count(&paid_status).await == 1 });
    assert!(settled.await, "the payment settled within the time to live");
    let pending = app.place_order(Uuid::now_v7()).await.body["id"].as_str().expect("id").to_owned();
    let done = eventually(Duration::from_secs(10), || delivered(&app, &pending));
    assert!(done.await, "the pending order expired and its stock was released");
    let cancelled =
        format!("SELECT count(*) FROM orders WHERE id = '{pending}' AND status = 'cancelled'");
    assert_eq!(app.db.count(&cancelled).await, 1);
    assert_eq!(app.db.count(&paid_status).await, 1, "a paid order never expires");
    assert!(!app.inventory.released().contains(&paid));
    app.stop().await;
}
