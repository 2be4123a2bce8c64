//! The hub: membership, presence transitions, ordered delivery, duplicates and gaps.

use std::sync::Arc;

use serde_json::value::RawValue;

use super::*;
use crate::domain::{Draft, PresenceKind};

fn hub(presence_event_limit: usize) -> Hub {
    Hub::new(HubLimits { presence_event_limit, max_rooms: 4 })
}

fn room(name: &str) -> RoomName {
    RoomName::parse(name).unwrap()
}

fn member(hub: &Hub, user: &str) -> Member {
    Member { id: hub.member_id(), user: user.into(), outbox: Arc::new(Outbox::new(8)) }
}

fn message(name: &str, id: u64, prev: u64) -> StoredMessage {
    let body = RawValue::from_string(id.to_string()).unwrap();
    Draft::now(room(name), "ann".into(), body).stored(id, prev)
}

fn received(member: &Member) -> Vec<Option<u64>> {
    let mut batch = Vec::new();
    member.outbox.drain_into(&mut batch);
    batch.iter().map(|envelope| envelope.id).collect()
}

#[test]
fn presence_changes_only_with_a_users_first_and_last_connection() {
    let hub = hub(100);
    let (tab1, tab2) = (member(&hub, "ann"), member(&hub, "ann"));
    let lobby = room("lobby");
    assert_eq!(
        hub.join(&lobby, tab1.clone()).unwrap(),
        Joined { new_room: true, first_of_user: true }
    );
    assert_eq!(
        hub.join(&lobby, tab2.clone()).unwrap(),
        Joined { new_room: false, first_of_user: false }
    );
    assert_eq!(hub.present_locally(), [(lobby.clone(), Arc::from("ann"))]);
    assert!(!hub.leave(&lobby, tab1.id).unwrap().last_of_user);
    assert!(hub.leave(&lobby, tab2.id).unwrap().last_of_user);
    assert!(hub.leave(&lobby, tab2.id).is_none());
    assert!(hub.present_locally().is_empty());
}

#[test]
fn messages_reach_members_once_in_order() {
    let hub = hub(100);
    let (ann, bob) = (member(&hub, "ann"), member(&hub, "bob"));
    hub.join(&room("a"), ann.clone()).unwrap();
    hub.join(&room("a"), bob.clone()).unwrap();
    assert_eq!(hub.deliver(&message("a", 1, 0)), Delivery::Delivered(2));
    assert_eq!(hub.deliver(&message("a", 2, 1)), Delivery::Delivered(2));
    assert_eq!(hub.deliver(&message("a", 2, 1)), Delivery::Duplicate);
    assert_eq!(hub.deliver(&message("elsewhere", 1, 0)), Delivery::NoMembers);
    assert_eq!(received(&ann), [Some(1), Some(2)]);
    assert_eq!(received(&bob), [Some(1), Some(2)]);
    assert_eq!(hub.resume_points(), [(room("a"), 2)]);
}

#[test]
fn a_gap_is_reported_instead_of_delivered() {
    let hub = hub(100);
    let ann = member(&hub, "ann");
    hub.join(&room("a"), ann.clone()).unwrap();
    hub.start_at(&room("a"), 4);
    hub.start_at(&room("a"), 9);
    assert_eq!(hub.deliver(&message("a", 7, 6)), Delivery::Gap { last: 4 });
    assert_eq!(hub.deliver(&message("a", 5, 4)), Delivery::Delivered(1));
    assert_eq!(received(&ann), [Some(5)]);
}

#[test]
fn presence_events_go_to_the_rooms_members() {
    let hub = hub(100);
    let ann = member(&hub, "ann");
    hub.join(&room("a"), ann.clone()).unwrap();
    let event = PresenceEvent { room: room("a"), event: PresenceKind::Joined, user: "bob".into() };
    assert_eq!(hub.announce(&event), 1);
    let elsewhere = PresenceEvent { room: room("b"), ..event.clone() };
    assert_eq!(hub.announce(&elsewhere), 0);
    assert_eq!(received(&ann), [None]);
}

#[test]
fn rooms_over_the_limit_get_no_presence_events() {
    let hub = hub(1);
    hub.join(&room("a"), member(&hub, "ann")).unwrap();
    let event = PresenceEvent { room: room("a"), event: PresenceKind::Joined, user: "bob".into() };
    assert_eq!(hub.announce(&event), 1);
    hub.join(&room("a"), member(&hub, "bob")).unwrap();
    assert_eq!(hub.announce(&event), 0);
}

#[test]
fn a_node_opens_a_bounded_number_of_rooms() {
    let hub = hub(100);
    let ann = member(&hub, "ann");
    for name in ["a", "b", "c", "d"] {
        hub.join(&room(name), ann.clone()).unwrap();
    }
    assert_eq!(hub.join(&room("e"), ann.clone()), Err(RoomLimit));
    assert!(hub.join(&room("a"), member(&hub, "bob")).is_ok(), "existing rooms still take members");
    assert!(hub.serves(&room("a")) && !hub.serves(&room("e")));
    hub.leave(&room("d"), ann.id);
    assert!(hub.join(&room("e"), ann).is_ok());
}
