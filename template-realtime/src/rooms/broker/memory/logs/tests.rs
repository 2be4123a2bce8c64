//! The bounded histories: length, bytes, rooms and age, and ids that never go back.

use std::time::Duration;

use serde_json::value::RawValue;

use super::*;

fn config(max_bytes: usize, max_rooms: usize) -> HistoryConfig {
    HistoryConfig { length: 3, max_age: Duration::from_mins(1), max_bytes, max_rooms }
}

fn room(name: &str) -> RoomName {
    RoomName::parse(name).unwrap()
}

fn draft(name: &str, size: usize) -> Draft {
    let body = RawValue::from_string(format!("\"{}\"", "x".repeat(size))).unwrap();
    Draft::now(room(name), "ann".into(), body)
}

fn nobody(_: &RoomName) -> bool {
    false
}

fn ids(logs: &Logs, name: &str) -> Vec<u64> {
    logs.read(&room(name), Some(0)).messages.iter().map(|message| message.id).collect()
}

#[test]
fn each_room_keeps_its_last_messages_and_counts_their_bytes() {
    let mut logs = Logs::new(config(1 << 20, 10));
    for _ in 0..5 {
        logs.append(draft("a", 100), &nobody).unwrap();
    }
    assert_eq!(ids(&logs, "a"), [3, 4, 5]);
    let held = logs.held();
    assert_eq!(held.rooms, 1);
    assert!(held.bytes > 300 && held.bytes < 3 * 400, "{held:?}");
    assert_eq!(logs.read(&room("a"), None).latest, 5);
}

#[test]
fn the_byte_budget_drops_the_least_recently_used_rooms_first() {
    let budget = 3 * (cost(&draft("a", 1000).stored(1, 0)) + 8);
    let mut logs = Logs::new(config(budget, 100));
    logs.append(draft("old", 1000), &nobody).unwrap();
    logs.append(draft("kept", 1000), &nobody).unwrap();
    logs.append(draft("kept", 1000), &nobody).unwrap();
    logs.append(draft("new", 1000), &nobody).unwrap();
    assert!(logs.held().bytes <= budget);
    assert_eq!(logs.held().rooms, 2, "the emptied room nobody is in is gone");
    assert_eq!(ids(&logs, "kept"), [1, 2]);
    assert_eq!(ids(&logs, "old"), Vec::<u64>::new());
}

#[test]
fn past_the_room_limit_an_idle_room_gives_way_and_ids_stay_above_it() {
    let mut logs = Logs::new(config(1 << 20, 2));
    for _ in 0..7 {
        logs.append(draft("a", 10), &nobody).unwrap();
    }
    logs.append(draft("b", 10), &nobody).unwrap();
    logs.append(draft("c", 10), &nobody).unwrap();
    assert_eq!(logs.held().rooms, 2);
    assert_eq!(logs.read(&room("a"), Some(0)).latest, 7, "a room never seen again reads the floor");
    let again = logs.append(draft("a", 10), &nobody).unwrap();
    assert_eq!((again.id, again.prev), (8, 7), "ids never go back for a recreated room");
}

#[test]
fn rooms_with_members_are_never_evicted() {
    let mut logs = Logs::new(config(1 << 20, 1));
    let busy = |room: &RoomName| room.as_str() == "busy";
    logs.append(draft("busy", 10), &busy).unwrap();
    assert!(matches!(logs.append(draft("other", 10), &busy), Err(BrokerError::RoomLimit)));
    logs.append(draft("busy", 10), &busy).unwrap();
    assert_eq!(ids(&logs, "busy"), [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn aged_messages_and_idle_rooms_expire() {
    let mut logs = Logs::new(config(1 << 20, 10));
    logs.append(draft("quiet", 10), &nobody).unwrap();
    logs.append(draft("member", 10), &nobody).unwrap();
    tokio::time::advance(Duration::from_secs(61)).await;
    logs.append(draft("fresh", 10), &nobody).unwrap();
    let member = |room: &RoomName| room.as_str() == "member";
    logs.expire(Instant::now(), &member);
    assert_eq!(logs.held().rooms, 2, "quiet is gone, member keeps its latest id");
    assert_eq!(logs.read(&room("member"), Some(0)).latest, 1);
    assert!(ids(&logs, "member").is_empty());
    logs.clear();
    assert_eq!(logs.held(), Held { rooms: 0, bytes: 0 });
}
