//! The hub: membership, presence transitions, ordered delivery, duplicates and gaps.

use std::sync::Arc;

use serde_json::value::RawValue;

use super::*;

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
    batch.iter().map(|event| event.id).collect()
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

#[test]
fn joins_and_leaves_keep_exact_membership_in_large_rooms() {
    let hub = hub(100);
    let lobby = room("lobby");
    // Two connections per user; every third connection leaves again.
    let members: Vec<Member> =
        (0..room::INLINE_MEMBERS * 2).map(|n| member(&hub, &format!("u{}", n / 2))).collect();
    let leaves = |n: usize| n.is_multiple_of(3);
    for (n, member) in members.iter().enumerate() {
        assert_eq!(hub.join(&lobby, member.clone()).unwrap().first_of_user, n % 2 == 0);
    }
    for (n, member) in members.iter().enumerate().filter(|(n, _)| leaves(*n)) {
        let partner_gone = n % 2 == 1 && leaves(n - 1);
        assert_eq!(hub.leave(&lobby, member.id).unwrap().last_of_user, partner_gone, "{n}");
    }
    let staying: Vec<&Member> =
        members.iter().enumerate().filter(|(n, _)| !leaves(*n)).map(|(_, m)| m).collect();
    assert_eq!(hub.deliver(&message("lobby", 1, 0)), Delivery::Delivered(staying.len()));
    for (n, member) in members.iter().enumerate() {
        let expected: &[Option<u64>] = if leaves(n) { &[] } else { &[Some(1)] };
        assert_eq!(received(member), expected, "member {n}");
    }
    let mut users: Vec<Arc<str>> = staying.iter().map(|member| member.user.clone()).collect();
    users.sort_unstable();
    users.dedup();
    let present: Vec<Arc<str>> = hub.present_locally().into_iter().map(|(_, user)| user).collect();
    let mut present = present;
    present.sort_unstable();
    assert_eq!(present, users);
}

/// Collects `member`'s frames until message `id` arrives, failing (instead of hanging) if it
/// never does.
async fn frames_until(member: &Member, id: u64) -> Vec<Option<u64>> {
    let mut frames = Vec::new();
    while !frames.contains(&Some(id)) {
        let wait = tokio::time::timeout(std::time::Duration::from_secs(30), member.outbox.ready());
        wait.await.expect("the fan-out is stuck");
        frames.extend(received(member));
    }
    frames
}

/// A room of twice [`room::INLINE_MEMBERS`] members, which fans out through its shards' tasks.
fn large_room(hub: &Hub, lobby: &RoomName) -> Vec<Member> {
    let members: Vec<Member> = (0..room::INLINE_MEMBERS * 2).map(|_| member(hub, "ann")).collect();
    for member in &members {
        hub.join(lobby, member.clone()).unwrap();
    }
    members
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::await_holding_lock, reason = "the held lock is the stuck member under test")]
async fn a_large_rooms_fan_out_waits_for_no_stuck_member() {
    let hub = Arc::new(hub(100));
    let lobby = room("lobby");
    let members = large_room(&hub, &lobby);
    let stuck = &members[0];
    let held = stuck.outbox.hold();
    // The caller only queues the frame for the shards' tasks: it returns while one of them
    // waits for the stuck outbox, and a join to the same room goes on meanwhile.
    let deliver = tokio::task::spawn_blocking({
        let hub = hub.clone();
        move || hub.deliver(&message("lobby", 1, 0))
    });
    let delivered = tokio::time::timeout(std::time::Duration::from_secs(30), deliver).await;
    assert_eq!(delivered.expect("delivery waited").unwrap(), Delivery::Delivered(members.len()));
    let late = member(&hub, "bob");
    hub.join(&lobby, late.clone()).unwrap();
    let (blocked, free): (Vec<&Member>, Vec<&Member>) =
        members.iter().partition(|member| room::shard_of(member.id) == room::shard_of(stuck.id));
    for member in free {
        assert_eq!(frames_until(member, 1).await, [Some(1)]);
    }
    drop(held);
    for member in blocked {
        assert_eq!(frames_until(member, 1).await, [Some(1)]);
    }
    assert_eq!(hub.deliver(&message("lobby", 2, 1)), Delivery::Delivered(members.len() + 1));
    for member in &members {
        assert_eq!(frames_until(member, 2).await, [Some(2)]);
    }
    let to_late = frames_until(&late, 2).await;
    assert!(to_late == [Some(2)] || to_late == [Some(1), Some(2)], "{to_late:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_queued_behind_a_stuck_member_arrive_together_complete_and_in_order() {
    let hub = hub(100);
    let lobby = room("lobby");
    let members = large_room(&hub, &lobby);
    let held = members[0].outbox.hold();
    // The shard's task stops at the stuck member while the next messages queue up behind
    // it. Once released, it hands each member the queued ones in one batch.
    for id in 1..=5 {
        assert_eq!(hub.deliver(&message("lobby", id, id - 1)), Delivery::Delivered(members.len()));
    }
    drop(held);
    for member in &members {
        assert_eq!(frames_until(member, 5).await, [1, 2, 3, 4, 5].map(Some));
    }
}

#[tokio::test]
async fn a_shard_whose_task_falls_too_far_behind_cuts_its_members_off() {
    let hub = hub(100);
    let lobby = room("lobby");
    let members = large_room(&hub, &lobby);
    // On this one-thread runtime the shards' tasks cannot run before the test yields: every
    // frame stays queued, until the queues pass their bound.
    let limit = u64::try_from(shard::PENDING_LIMIT).unwrap();
    for id in 1..=limit {
        hub.deliver(&message("lobby", id, id - 1));
    }
    assert!(members.iter().all(|member| !member.outbox.is_overflowed()), "at the bound");
    hub.deliver(&message("lobby", limit + 1, limit));
    assert!(members.iter().all(|member| member.outbox.is_overflowed()), "past the bound");
}
