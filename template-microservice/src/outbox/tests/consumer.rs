//! The consumer: each message applied once, retried with backoff while it may pass, and
//! dead-lettered with its reason when it never will; nothing is lost when the dead letter
//! cannot be stored.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::fakes::{MemoryBroker, Settlements, WordInbox, delivery};
use super::{Consumer, ConsumerSettings, Disposition, dead_letter_message};

fn consumer(broker: &Arc<MemoryBroker>, inbox: &Arc<WordInbox>) -> Consumer<WordInbox> {
    let settings = ConsumerSettings { max_deliver: 3, ..ConsumerSettings::default() };
    Consumer::new(broker.clone(), Arc::clone(inbox), settings)
}

fn fakes() -> (Arc<MemoryBroker>, Arc<WordInbox>, Settlements) {
    (Arc::default(), Arc::default(), Settlements::default())
}

#[tokio::test]
async fn a_message_has_one_effect_however_often_it_is_delivered() {
    let (broker, inbox, settled) = fakes();
    let consumer = consumer(&broker, &inbox);
    let copies = (1..=3).map(|attempt| delivery("m1:hello", attempt, &settled)).collect();
    consumer.handle_all(copies).await;
    assert_eq!(*inbox.effects.lock().expect("lock"), ["hello"]);
    assert_eq!(*settled.lock().expect("lock"), ["ack", "ack", "ack"]);
    let again = consumer.process(&delivery("m1:hello", 4, &settled)).await;
    assert_eq!(again, Disposition::Done("duplicate"));
}

#[tokio::test]
async fn a_failure_that_may_pass_is_retried_with_backoff_then_dead_lettered() {
    let (broker, inbox, settled) = fakes();
    let consumer = consumer(&broker, &inbox);
    let deliveries = (1..=3).map(|attempt| delivery("later:x", attempt, &settled)).collect();
    consumer.handle_all(deliveries).await;
    assert_eq!(*settled.lock().expect("lock"), ["retry 500ms", "retry 1s", "reject"]);
    let letters = broker.published.lock().expect("lock");
    let reason = letters[0].headers.iter().find(|(name, _)| name == "Dead-Letter-Reason");
    let reason = reason.expect("a reason").1.clone();
    assert_eq!(reason, "not visible yet (gave up after 3 deliveries)");
}

#[tokio::test]
async fn an_undecodable_message_is_dead_lettered_at_once_and_the_others_flow() {
    let (broker, inbox, settled) = fakes();
    let consumer = consumer(&broker, &inbox);
    let batch = vec![delivery("poison", 1, &settled), delivery("m2:ok", 1, &settled)];
    consumer.handle_all(batch).await;
    assert_eq!(*settled.lock().expect("lock"), ["reject", "ack"]);
    assert_eq!(*inbox.effects.lock().expect("lock"), ["ok"]);
    let letters = broker.published.lock().expect("lock");
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].subject, "dlq.events.words");
    assert_eq!(letters[0].id, "dlq-events.words-7", "stable across redeliveries");
}

#[test]
fn a_dead_letter_keeps_the_headers_but_the_dedup_id_and_says_why_on_one_line() {
    let settled = Settlements::default();
    let settings = ConsumerSettings::default();
    let letter = dead_letter_message(&settings, &delivery("poison", 2, &settled), "bad\r\nbody");
    let headers: Vec<(&str, &str)> =
        letter.headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    let expected = [("k", "v"), ("Dead-Letter-Reason", "bad  body"), ("Dead-Letter-Attempts", "2")];
    assert_eq!(headers, expected);
    assert_eq!(&letter.payload[..], b"poison");
}

#[tokio::test]
async fn a_dead_letter_that_cannot_be_stored_leaves_the_message_for_later() {
    let (broker, inbox, settled) = fakes();
    broker.refuse.lock().expect("lock").insert("dlq.".to_owned());
    consumer(&broker, &inbox).handle_all(vec![delivery("poison", 1, &settled)]).await;
    assert_eq!(*settled.lock().expect("lock"), ["retry 30s"], "the longest backoff");
}

#[tokio::test]
async fn when_the_whole_batch_fails_every_message_is_retried() {
    let (broker, inbox, settled) = fakes();
    *inbox.down.lock().expect("lock") = true;
    let consumer = consumer(&broker, &inbox);
    let batch = vec![delivery("a:1", 1, &settled), delivery("b:2", 1, &settled)];
    let dispositions = consumer.process_all(&batch).await;
    let retry = Disposition::Retry("database down".to_owned());
    assert_eq!(dispositions, [retry.clone(), retry]);
}

#[tokio::test]
async fn run_pulls_and_settles_until_stopped() {
    let (broker, inbox, settled) = fakes();
    let queued = (0..5).map(|n| delivery(&format!("m{n}:w{n}"), 1, &settled));
    broker.queued.lock().expect("lock").extend(queued);
    let consumer = Arc::new(consumer(&broker, &inbox));
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let (consumer, stop) = (Arc::clone(&consumer), stop.clone());
        async move { consumer.run(stop).await }
    });
    for _ in 0..500 {
        if settled.lock().expect("lock").len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    running.await.expect("stops");
    assert_eq!(inbox.effects.lock().expect("lock").len(), 5);
    assert_eq!(*settled.lock().expect("lock"), ["ack"; 5]);
}
