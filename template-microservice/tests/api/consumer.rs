//! The payment consumer: exactly one effect per message, whatever the redeliveries and
//! crashes; poison messages dead-lettered without blocking the others.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::service::domain::order::{Order, OrderItem};
use crate::service::domain::trace::TraceContext;
use crate::service::messaging::Transport as _;
use crate::service::messaging::consumer::{Disposition, PaymentConsumer};
use crate::service::messaging::nats::NatsTransport;
use crate::service::repositories::orders::PgOrders;
use crate::service::repositories::{OrderRepository as _, OutboxEvent, SettleOutcome};
use crate::service::services::OutboxSignal;
use crate::service::services::inventory::{Inventory, InventoryError, Reservation};
use crate::service::services::orders::OrderService;
use crate::support::broker::{publish, stored};
use crate::support::{NatsServer, TestApp, TestDb, eventually};

/// The consumer never reserves stock.
struct NoInventory;

#[async_trait]
impl Inventory for NoInventory {
    async fn reserve(&self, _: &Reservation, _: TraceContext) -> Result<(), InventoryError> {
        Err(InventoryError::Failed("not used".to_owned()))
    }

    async fn release(&self, _: Uuid, _: TraceContext) -> Result<(), InventoryError> {
        Err(InventoryError::Failed("not used".to_owned()))
    }
}

fn envelope(event_type: &str, order_id: Uuid) -> Value {
    json!({
        "id": Uuid::now_v7(), "type": event_type, "version": 1,
        "time": chrono::Utc::now().to_rfc3339(), "data": { "order_id": order_id },
    })
}

async fn pending_order(db: &TestDb) -> Uuid {
    let order = Order::new(Uuid::now_v7(), vec![OrderItem { sku: "A".into(), quantity: 1 }]);
    let event = OutboxEvent {
        id: Uuid::now_v7(),
        subject: "events.test".into(),
        payload: vec![],
        traceparent: None,
    };
    PgOrders::new(db.pool.clone()).create(&order, &event).await.expect("stored");
    order.id
}

async fn settled(transport: &NatsTransport) -> bool {
    let jetstream = async_nats::jetstream::new(transport.client().clone());
    let stream = jetstream.get_stream("EVENTS").await.expect("stream");
    let mut consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.get_consumer("orders-payments").await.expect("consumer");
    let info = consumer.info().await.expect("info");
    info.num_pending == 0 && info.num_ack_pending == 0
}

/// A consumer on its own, without the rest of the service.
struct Harness {
    db: TestDb,
    nats: NatsServer,
    transport: Arc<NatsTransport>,
    consumer: Arc<PaymentConsumer>,
}

impl Harness {
    async fn start() -> Self {
        let (db, nats) = (TestDb::new().await, NatsServer::start());
        let inventory = crate::support::InventoryStub::start().await;
        let config = crate::support::config(&db, &nats, &inventory, &[]);
        crate::service::repositories::pool::migrate(&db.pool).await.expect("migrates");
        let connected = NatsTransport::connect(&config.messaging.nats).await;
        let transport = Arc::new(connected.expect("connects"));
        let repository = Arc::new(PgOrders::new(db.pool.clone()));
        let signals = (OutboxSignal::default(), OutboxSignal::default());
        let orders = OrderService::new(repository, Arc::new(NoInventory), signals.0, signals.1);
        let settings = config.messaging.consumer.clone();
        let consumer = PaymentConsumer::new(transport.clone(), Arc::new(orders), settings);
        Self { db, nats, transport, consumer: Arc::new(consumer) }
    }

    async fn publish(&self, payment: &Value, id: &str) {
        publish(&self.nats.url(), "events.payment.completed", payment, Some(id)).await;
    }

    /// Takes one delivery, applies its effect, and "crashes" before acknowledging it.
    async fn process_one_and_crash(&self) {
        let mut pulled = self.transport.pull(1, Duration::from_secs(5)).await.expect("pulls");
        let delivery = futures_util::StreamExt::next(&mut pulled).await.expect("a delivery");
        let disposition = self.consumer.process(&delivery).await;
        assert_eq!(disposition, Disposition::Done(SettleOutcome::Applied));
    }

    /// Runs the consumer until every delivery is settled.
    async fn consume_everything(&self) {
        let stop = CancellationToken::new();
        let (consumer, token) = (Arc::clone(&self.consumer), stop.clone());
        let running = tokio::spawn(async move { consumer.run(token).await });
        let all = eventually(Duration::from_secs(20), || settled(&self.transport)).await;
        assert!(all, "every delivery was acknowledged");
        stop.cancel();
        running.await.expect("consumer stops");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_deliveries_and_a_crash_before_the_ack_make_one_effect() {
    let harness = Harness::start().await;
    let order_id = pending_order(&harness.db).await;
    let payment = envelope("payment.completed", order_id);
    harness.publish(&payment, "delivery-1").await;
    harness.process_one_and_crash().await;
    for copy in 2..=5 {
        harness.publish(&payment, &format!("delivery-{copy}")).await;
    }
    harness.consume_everything().await;
    let query = format!("SELECT version::bigint FROM orders WHERE id = '{order_id}'");
    assert_eq!(harness.db.count(&query).await, 2, "exactly one effect");
    assert_eq!(harness.db.count("SELECT count(*) FROM inbox").await, 1);
    assert!(stored(&harness.nats.url(), "DEAD_LETTERS", "dlq.>").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_are_dead_lettered_and_the_others_flow() {
    let mut app = TestApp::spawn().await;
    let placed = app.place_order(Uuid::now_v7()).await;
    let order_id: Uuid = placed.body["id"].as_str().expect("id").parse().expect("uuid");
    let url = app.nats.url();
    publish(&url, "events.payment.completed", &envelope("payment.completed", Uuid::now_v7()), None)
        .await;
    publish(&url, "events.payment.completed", &envelope("payment.refunded", order_id), None).await;
    publish(&url, "events.payment.failed", &json!("not an envelope"), None).await;
    publish(&url, "events.payment.failed", &envelope("payment.failed", order_id), None).await;
    let query =
        format!("SELECT count(*) FROM orders WHERE id = '{order_id}' AND status = 'cancelled'");
    assert!(
        eventually(Duration::from_secs(20), || async { app.db.count(&query).await == 1 }).await
    );
    let letters = eventually(Duration::from_secs(20), || async {
        stored(&url, "DEAD_LETTERS", "dlq.>").await.len() == 3
    });
    assert!(letters.await, "three dead letters");
    let letters = stored(&url, "DEAD_LETTERS", "dlq.>").await;
    let reason = |text: &str| {
        letters
            .iter()
            .find(|letter| letter.header("Dead-Letter-Reason").is_some_and(|r| r.contains(text)))
    };
    let missing = reason("not found").expect("the unknown order, after retries");
    assert_eq!(missing.header("Dead-Letter-Attempts"), Some("3"));
    assert!(reason("unknown event type").is_some());
    assert!(reason("malformed envelope").is_some());
    app.stop().await;
}
