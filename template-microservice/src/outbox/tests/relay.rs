//! The relay: only acknowledged events are marked sent, the rest stay for the next pass.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::fakes::{MemoryBroker, MemoryOutbox, SharedOutbox};
use super::{Pass, Relay, RelaySettings, Signal, TransportError, report};

fn relay(outbox: &Arc<MemoryOutbox>, broker: &Arc<MemoryBroker>, signal: Signal) -> Relay {
    let settings = RelaySettings {
        batch_size: 10,
        poll_interval: Duration::from_millis(10),
        retention: Duration::from_secs(1),
    };
    let store = Arc::new(SharedOutbox(Arc::clone(outbox)));
    Relay::new(store, broker.clone(), signal, settings)
}

fn fakes() -> (Arc<MemoryOutbox>, Arc<MemoryBroker>) {
    (Arc::new(MemoryOutbox::default()), Arc::new(MemoryBroker::default()))
}

#[tokio::test]
async fn only_acknowledged_events_are_marked_sent() {
    let (outbox, broker) = fakes();
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
    for id in &ids {
        outbox.add(*id);
    }
    broker.refuse.lock().expect("lock").insert(ids[1].to_string());
    let relay = relay(&outbox, &broker, Signal::default());
    assert_eq!(relay.pass().await.expect("pass"), Pass { claimed: 4, sent: 3 });
    assert_eq!(outbox.unsent(), 1);
    broker.refuse.lock().expect("lock").clear();
    assert_eq!(relay.pass().await.expect("pass"), Pass { claimed: 1, sent: 1 });
    let published = broker.published.lock().expect("lock");
    let order: Vec<String> = published.iter().map(|message| message.id.clone()).collect();
    assert_eq!(order, [&ids[0], &ids[2], &ids[3], &ids[1]].map(Uuid::to_string));
}

#[tokio::test]
async fn an_event_carries_its_id_and_its_trace_context() {
    let (outbox, broker) = fakes();
    let id = Uuid::now_v7();
    outbox.add(id);
    let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    outbox.rows.lock().expect("lock")[0].0.traceparent = Some(traceparent.to_owned());
    relay(&outbox, &broker, Signal::default()).pass().await.expect("pass");
    let published = broker.published.lock().expect("lock");
    assert_eq!(published[0].id, id.to_string());
    assert_eq!(published[0].headers, [("traceparent".to_owned(), traceparent.to_owned())]);
}

#[tokio::test]
async fn flush_relays_every_batch_before_the_deadline() {
    let (outbox, broker) = fakes();
    (0..25).for_each(|_| outbox.add(Uuid::now_v7()));
    relay(&outbox, &broker, Signal::default()).flush(Instant::now() + Duration::from_secs(5)).await;
    assert_eq!(outbox.unsent(), 0);
    assert_eq!(broker.published.lock().expect("lock").len(), 25);
}

#[tokio::test]
async fn run_relays_until_stopped_and_survives_a_failing_store() {
    let (outbox, broker) = fakes();
    *outbox.down.lock().expect("lock") = true;
    outbox.add(Uuid::now_v7());
    let signal = Signal::default();
    let relay = Arc::new(relay(&outbox, &broker, signal.clone()));
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let (relay, stop) = (Arc::clone(&relay), stop.clone());
        async move { relay.run(stop).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(outbox.unsent(), 1, "nothing is sent while the store fails");
    *outbox.down.lock().expect("lock") = false;
    signal.notify();
    for _ in 0..500 {
        if outbox.unsent() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    running.await.expect("stops");
    assert_eq!(outbox.unsent(), 0, "sent once the store is back");
    assert_eq!(broker.published.lock().expect("lock").len(), 1);
}

/// Collects what a `tracing` formatter writes.
#[derive(Clone, Default)]
struct Written(Arc<Mutex<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn unacknowledged_events_are_logged_under_the_relay_with_their_count_as_a_field() {
    let written = Written::default();
    let writer = written.clone();
    let subscriber =
        tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let results = [Ok(()), Err(TransportError::new("no ack"))];
    tracing::subscriber::with_default(subscriber, || report(&results));
    let logs = String::from_utf8(written.0.lock().expect("lock").clone()).expect("UTF-8");
    let target = module_path!().replace("::tests::relay", "::relay");
    assert!(logs.contains(&format!(" {target}: ")), "so RUST_LOG can select it: {logs}");
    assert!(logs.contains("failed=1"), "the count is a field: {logs}");
    assert!(logs.contains("error=transport: no ack"), "{logs}");
}
