//! The module as an app uses it: one node on the in-process broker, through [`Rooms`] only.

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

use super::*;

mod memory_broker;

fn room(name: &str) -> RoomName {
    RoomName::parse(name).unwrap()
}

fn body(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).unwrap()
}

/// A member of user `user` on a new connection, and the connection's outbox.
fn connect(rooms: &Rooms, user: &str) -> (Member, Arc<Outbox>) {
    let (id, outbox) = rooms.connection();
    (Member { id, user: user.into(), outbox: outbox.clone() }, outbox)
}

/// What is queued for a connection, in order, as `(id, kind)`.
fn drain(outbox: &Outbox) -> Vec<(Option<u64>, String)> {
    let mut batch = Vec::new();
    outbox.drain_into(&mut batch);
    let describe = |event: &Arc<RoomEvent>| match &event.kind {
        RoomEventKind::Message(message) => format!("{} says {}", message.from, message.body),
        RoomEventKind::Presence(presence) => format!("{} {:?}", presence.user, presence.event),
    };
    batch.iter().map(|event| (event.id, describe(event))).collect()
}

#[tokio::test]
async fn a_published_message_reaches_every_member_with_presence_before_it() {
    let rooms = Rooms::in_memory(RoomsSettings::default());
    let lobby = room("lobby");
    let (ann, ann_outbox) = connect(&rooms, "ann");
    let (bob, bob_outbox) = connect(&rooms, "bob");
    rooms.join(&lobby, ann, None).await.unwrap();
    rooms.join(&lobby, bob, None).await.unwrap();
    let stored = rooms.publish(&Arc::from("bob"), lobby.clone(), body("{\"hi\":1}")).await.unwrap();
    assert_eq!((stored.id, stored.prev), (1, 0));
    let (ann_joined, bob_joined) =
        ((None, "ann Joined".to_owned()), (None, "bob Joined".to_owned()));
    let message = (Some(1), "bob says {\"hi\":1}".to_owned());
    assert_eq!(drain(&ann_outbox), [ann_joined, bob_joined.clone(), message.clone()]);
    assert_eq!(drain(&bob_outbox), [bob_joined, message], "each member hears of its own arrival");
    assert_eq!(rooms.present_users("ann", &lobby).await.unwrap(), ["ann", "bob"]);
}

#[tokio::test]
async fn an_event_is_rendered_once_for_every_connection() {
    let rooms = Rooms::in_memory(RoomsSettings::default());
    let (ann, ann_outbox) = connect(&rooms, "ann");
    let (bob, bob_outbox) = connect(&rooms, "bob");
    rooms.join(&room("r"), ann, None).await.unwrap();
    rooms.join(&room("r"), bob, None).await.unwrap();
    rooms.publish(&Arc::from("ann"), room("r"), body("7")).await.unwrap();
    let (mut first, mut second) = (Vec::new(), Vec::new());
    ann_outbox.drain_into(&mut first);
    bob_outbox.drain_into(&mut second);
    let renderings = std::sync::atomic::AtomicUsize::new(0);
    let render = |event: &RoomEvent| {
        renderings.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Arc::<str>::from(format!("frame {:?}", event.id))
    };
    let message = |batch: &[Arc<RoomEvent>]| batch.last().unwrap().clone();
    assert!(Arc::ptr_eq(&message(&first), &message(&second)), "one event for both");
    assert_eq!(&*message(&first).rendered(render), "frame Some(1)");
    assert_eq!(&*message(&second).rendered(render), "frame Some(1)");
    assert_eq!(renderings.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(message(&first).rendered(|_| 5_u8), 5, "another type renders afresh");
}

#[tokio::test]
async fn a_member_that_rejoins_with_since_gets_what_it_missed() {
    let rooms = Rooms::in_memory(RoomsSettings::default());
    let (ann, _) = connect(&rooms, "ann");
    let publisher: Arc<str> = Arc::from("ann");
    for n in 1..=3 {
        rooms.publish(&publisher, room("r"), body(&n.to_string())).await.unwrap();
    }
    let replay = rooms.join(&room("r"), ann.clone(), Some(1)).await.unwrap();
    let ids: Vec<u64> = replay.messages.iter().map(|message| message.id).collect();
    assert_eq!(ids, [2, 3]);
    assert!(!replay.truncated);
    assert!(rooms.leave(&room("r"), ann.id).await.unwrap());
    assert!(!rooms.leave(&room("r"), ann.id).await.unwrap(), "already gone");
}

/// Refuses every publication of `ann`.
struct NotAnn;

#[async_trait::async_trait]
impl PublishRate for NotAnn {
    async fn take(&self, user: &Arc<str>) -> Result<(), Duration> {
        if &**user == "ann" { Err(Duration::from_secs(3)) } else { Ok(()) }
    }
}

#[tokio::test]
async fn the_policy_and_the_publish_rate_refuse_before_the_broker() {
    let settings = RoomsSettings::default();
    let hub = Arc::new(Hub::new(settings.hub));
    let broker = MemoryBroker::start(&settings.broker_options(), &hub);
    let (policy, publish_rate) = (Arc::new(OwnedUserRooms), Arc::new(NotAnn));
    let rooms = Rooms::new(RoomsParts { hub, broker, settings, policy, publish_rate });
    let refused = rooms.publish(&Arc::from("bob"), room("user-ann"), body("1")).await;
    assert!(matches!(refused, Err(RoomError::Forbidden)), "{refused:?}");
    let limited = rooms.publish(&Arc::from("ann"), room("lobby"), body("1")).await;
    let Err(RoomError::RateLimited { retry_after }) = limited else { panic!("{limited:?}") };
    assert_eq!(retry_after, Duration::from_secs(3));
    assert_eq!(rooms.broker().history(&room("lobby"), Some(0)).await.unwrap().latest, 0);
    rooms.publish(&Arc::from("bob"), room("lobby"), body("1")).await.unwrap();
}

#[tokio::test]
async fn a_node_past_its_room_limit_refuses_a_new_room() {
    let mut settings = RoomsSettings::default();
    settings.hub.max_rooms = 1;
    let rooms = Rooms::in_memory(settings);
    let (ann, _) = connect(&rooms, "ann");
    rooms.join(&room("a"), ann.clone(), None).await.unwrap();
    let refused = rooms.join(&room("b"), ann, None).await;
    assert!(matches!(refused, Err(RoomError::RoomLimit)), "{refused:?}");
}
