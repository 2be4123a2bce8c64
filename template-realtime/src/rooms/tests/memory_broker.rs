//! The in-process broker: a room's fan-out holds up no other room.

use std::sync::mpsc;
use std::time::Duration;

use serde_json::value::RawValue;
use tokio::runtime::Runtime;

use super::*;

fn options() -> BrokerOptions {
    let history = HistoryConfig {
        length: 10,
        // The expiry task runs at start, then once a minute: never while the test runs.
        max_age: Duration::from_hours(1),
        max_bytes: 1 << 20,
        max_rooms: 10,
    };
    BrokerOptions { prefix: "test".into(), history, presence_ttl: Duration::from_secs(30) }
}

fn room(name: &str) -> RoomName {
    RoomName::parse(name).unwrap()
}

fn draft(name: &str) -> Draft {
    Draft::now(room(name), "ann".into(), RawValue::from_string("1".into()).unwrap())
}

/// Publishes to room a once room b's message has its id, that is once b's fan-out has begun.
async fn publish_once_b_has_begun(broker: &dyn Broker) -> Result<StoredMessage, BrokerError> {
    while broker.history(&room("b"), None).await?.latest == 0 {
        std::thread::yield_now();
    }
    broker.publish(draft("a")).await
}

/// Runs `publish` on a thread of its own, so that the test's clock is no task of the runtime.
fn on_a_thread(
    runtime: &Runtime,
    publish: impl Future<Output = Result<StoredMessage, BrokerError>> + Send + 'static,
) -> mpsc::Receiver<Result<StoredMessage, BrokerError>> {
    let (sender, receiver) = mpsc::channel();
    let handle = runtime.handle().clone();
    std::thread::spawn(move || sender.send(handle.block_on(publish)));
    receiver
}

#[test]
fn a_publication_goes_on_while_another_room_fans_out() {
    let runtime = Runtime::new().unwrap();
    let hub = Arc::new(Hub::new(HubLimits { presence_event_limit: 100, max_rooms: 10 }));
    let broker = {
        let _inside = runtime.enter();
        MemoryBroker::start(&options(), &hub)
    };
    let outbox = Arc::new(Outbox::new(8));
    let stuck = Member { id: hub.member_id(), user: "ann".into(), outbox: outbox.clone() };
    hub.join(&room("b"), stuck).unwrap();
    // The member's outbox is held: the fan-out of room b stops at it until it is released.
    let held = outbox.hold();
    let stuck_publication = on_a_thread(&runtime, {
        let broker = broker.clone();
        async move { broker.publish(draft("b")).await }
    });
    let other_room = on_a_thread(&runtime, {
        let broker = broker.clone();
        async move { publish_once_b_has_begun(broker.as_ref()).await }
    });
    // Only a deadlock detector: the publication to room a must finish while b's is stuck.
    let went_on = other_room.recv_timeout(Duration::from_secs(20));
    drop(held);
    let published = went_on.expect("room a waited for room b's fan-out").unwrap();
    assert_eq!((published.room, published.id), (room("a"), 1));
    assert_eq!(stuck_publication.recv().unwrap().unwrap().id, 1);
    let mut batch = Vec::new();
    outbox.drain_into(&mut batch);
    assert_eq!(batch.iter().map(|event| event.id).collect::<Vec<_>>(), [Some(1)]);
}
