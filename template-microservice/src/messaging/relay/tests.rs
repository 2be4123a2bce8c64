//! The relay against fakes: only acknowledged events are marked sent, the rest stay for the
//! next pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::{Pass, Relay};
use crate::config::RelayConfig;
use crate::fakes::{FakeOutbox, FakeStore, FakeTransport, LogCapture};
use crate::services::OutboxSignal;

fn relay(store: &Arc<FakeStore>, transport: &Arc<FakeTransport>, batch_size: u32) -> Relay {
    let config = RelayConfig {
        batch_size,
        poll_interval: Duration::from_millis(10),
        retention: Duration::from_secs(1),
    };
    Relay::new(
        Arc::new(FakeOutbox(Arc::clone(store))),
        transport.clone(),
        OutboxSignal::default(),
        config,
    )
}

#[tokio::test]
async fn only_acknowledged_events_are_marked_sent() {
    let (store, transport) = (Arc::new(FakeStore::default()), Arc::new(FakeTransport::default()));
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
    for id in &ids {
        store.add_event(*id);
    }
    transport.refuse.lock().expect("lock").insert(ids[1].to_string());
    let relay = relay(&store, &transport, 10);
    assert_eq!(relay.pass().await.expect("pass"), Pass { claimed: 4, sent: 3 });
    assert_eq!(store.unsent(), 1);
    transport.refuse.lock().expect("lock").clear();
    assert_eq!(relay.pass().await.expect("pass"), Pass { claimed: 1, sent: 1 });
    let published = transport.published.lock().expect("lock");
    let order: Vec<String> = published.iter().map(|message| message.id.clone()).collect();
    assert_eq!(order, [&ids[0], &ids[2], &ids[3], &ids[1]].map(Uuid::to_string));
}

#[tokio::test]
async fn flush_relays_every_batch_before_the_deadline() {
    let (store, transport) = (Arc::new(FakeStore::default()), Arc::new(FakeTransport::default()));
    (0..25).for_each(|_| store.add_event(Uuid::now_v7()));
    relay(&store, &transport, 10).flush(Instant::now() + Duration::from_secs(5)).await;
    assert_eq!(store.unsent(), 0);
    assert_eq!(transport.published.lock().expect("lock").len(), 25);
}

#[tokio::test]
async fn run_relays_until_stopped_and_survives_a_failing_database() {
    let (store, transport) = (Arc::new(FakeStore::default()), Arc::new(FakeTransport::default()));
    *store.fail.lock().expect("lock") = true;
    store.add_event(Uuid::now_v7());
    let relay = Arc::new(relay(&store, &transport, 10));
    let stop = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn({
        let (relay, stop) = (Arc::clone(&relay), stop.clone());
        async move { relay.run(stop).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(store.unsent(), 1, "nothing is sent while the database fails");
    *store.fail.lock().expect("lock") = false;
    relay.signal.notify();
    for _ in 0..500 {
        if store.unsent() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    running.await.expect("stops");
    assert_eq!(store.unsent(), 0, "sent once the database is back");
    assert_eq!(transport.published.lock().expect("lock").len(), 1);
}

#[test]
fn unacknowledged_events_are_logged_under_the_relay_with_their_count_as_a_field() {
    let results = [Ok(()), Err(crate::messaging::TransportError::new("no ack"))];
    let logs = LogCapture::start();
    super::report(&results);
    let events = logs.events();
    let [(target, fields)] = events.as_slice() else { panic!("one event expected: {events:?}") };
    assert_eq!(target, module_path!().trim_end_matches("::tests"), "so RUST_LOG can select it");
    assert!(fields.contains(&"failed".to_owned()), "the count is a field: {fields:?}");
    assert!(fields.contains(&"error".to_owned()), "{fields:?}");
}
