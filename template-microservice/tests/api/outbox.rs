//! The outbox under a broker outage: 1,000 orders committed while NATS is down are all
//! published exactly once after it comes back.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt as _;
use hyper::StatusCode;
use uuid::Uuid;

use crate::support::broker::stored;
use crate::support::{Reply, TestApp, eventually};

const ORDERS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_while_nats_is_down_are_published_exactly_once() {
    let mut app = TestApp::spawn().await;
    app.nats.stop();
    let replies: Vec<_> = futures_util::stream::iter(0..ORDERS)
        .map(|_| app.place_order(Uuid::now_v7()))
        .buffer_unordered(16)
        .collect()
        .await;
    let refused = refusals(&replies);
    assert!(
        refused.is_empty(),
        "orders are accepted while the broker is down; refused: {refused:?}"
    );
    let unsent = app.db.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL").await;
    assert!(unsent > 0, "nothing can be sent while the broker is down");
    app.nats.restart();
    let relayed = eventually(Duration::from_mins(1), || async {
        app.db.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL").await == 0
    });
    assert!(relayed.await, "the outbox drained after the broker came back");
    let events = stored(&app.nats.url(), "EVENTS", "events.order.created").await;
    let ids: HashSet<String> =
        events.iter().map(|event| event.body["id"].as_str().expect("id").to_owned()).collect();
    let committed: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM outbox").fetch_all(&app.db.pool).await.expect("ids");
    let committed: HashSet<String> = committed.iter().map(Uuid::to_string).collect();
    assert_eq!(events.len(), ORDERS, "each event is stored once");
    assert_eq!(ids, committed, "every committed event is published");
    app.stop().await;
}

/// How many answers other than 201 came back, by status, with the body and `Retry-After` of
/// the first of each.
fn refusals(replies: &[Reply]) -> BTreeMap<u16, (usize, String)> {
    let mut refused = BTreeMap::new();
    for reply in replies.iter().filter(|reply| reply.status != StatusCode::CREATED) {
        let entry = refused.entry(reply.status.as_u16()).or_insert_with(|| {
            let retry_after = reply.headers.get("retry-after");
            (0, format!("{} (Retry-After: {retry_after:?})", reply.body))
        });
        entry.0 += 1;
    }
    refused
}
