//! Events reach subscribers without blocking callers; counters and the
//! `metrics` export report what happened.

mod common;

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Event, OpenWait, Outcome, State};
use common::{call, calls, millis, on_manual_clock, secs, timed_call, trip};

fn one_failure_trips() -> circuit_breaker::Builder {
    CircuitBreaker::builder()
        .consecutive_failures(1)
        .half_open_trials(1)
        .open_wait(OpenWait::Fixed(secs(10)))
}

#[test]
fn subscribers_see_transitions_rejections_and_slow_calls() {
    let (breaker, clock) = on_manual_clock(one_failure_trips().slow_calls(millis(50), 1.0));
    let events = breaker.handle().subscribe(8);
    timed_call(&breaker, &clock, Outcome::Success, millis(60)).unwrap();
    trip(&breaker);
    let _ = call(&breaker, Outcome::Success);
    let received: Vec<Event> = std::iter::from_fn(|| events.try_recv()).collect();
    assert_eq!(
        received,
        [
            Event::SlowCall { duration: millis(60) },
            Event::StateTransition { from: State::Closed, to: State::Open },
            Event::Rejected { state: State::Open, retry_after: secs(10) },
        ]
    );
}

#[test]
fn a_full_subscriber_loses_events_instead_of_blocking() {
    let (breaker, _) = on_manual_clock(one_failure_trips());
    let slow_reader = breaker.handle().subscribe(2);
    breaker.handle().force_open();
    for _ in 0..10 {
        assert!(call(&breaker, Outcome::Success).is_err());
    }
    assert_eq!(slow_reader.dropped(), 9, "1 transition and 1 rejection fit");
    assert!(slow_reader.recv_timeout(Duration::from_millis(1)).is_some());
}

#[test]
fn a_gone_subscriber_is_forgotten() {
    let (breaker, _) = on_manual_clock(one_failure_trips());
    let kept = breaker.handle().subscribe(4);
    drop(breaker.handle().subscribe(4));
    breaker.handle().force_open();
    breaker.handle().reset();
    assert_eq!(std::iter::from_fn(|| kept.try_recv()).count(), 2);
    assert_eq!(kept.recv_timeout(Duration::from_millis(1)), None);
}

#[test]
fn metrics_count_what_happened() {
    let (breaker, _) =
        on_manual_clock(CircuitBreaker::builder().minimum_calls(100).count_window(10));
    calls(&breaker, Outcome::Success, 6);
    calls(&breaker, Outcome::Failure, 2);
    calls(&breaker, Outcome::Ignored, 1);
    let metrics = breaker.handle().metrics();
    assert_eq!(metrics.state, State::Closed);
    assert_eq!((metrics.window_calls, metrics.window_failures), (8, 2));
    assert!((metrics.failure_rate() - 0.25).abs() < f64::EPSILON);
    assert!(metrics.slow_call_rate().abs() < f64::EPSILON);
    assert_eq!((metrics.failures, metrics.ignored, metrics.rejected), (2, 1, 0));
}

/// The exported metrics as (name, "label=value,...", value).
#[cfg(feature = "metrics")]
fn exported(
    snapshotter: &metrics_util::debugging::Snapshotter,
) -> Vec<(String, String, metrics_util::debugging::DebugValue)> {
    let label = |l: &metrics::Label| format!("{}={}", l.key(), l.value());
    let row = |(key, _, _, value): (metrics_util::CompositeKey, _, _, _)| {
        let labels: Vec<String> = key.key().labels().map(label).collect();
        (key.key().name().to_owned(), labels.join(","), value)
    };
    snapshotter.snapshot().into_vec().into_iter().map(row).collect()
}

#[cfg(feature = "metrics")]
#[test]
fn the_metrics_feature_exports_state_calls_and_rejections() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let (breaker, _) = metrics::with_local_recorder(&recorder, || {
        on_manual_clock(one_failure_trips().name("payments"))
    });
    call(&breaker, Outcome::Success).unwrap();
    trip(&breaker);
    let _ = call(&breaker, Outcome::Success);
    let exported = exported(&snapshotter);
    let find = |name: &str, labels: &str| {
        let found = exported.iter().find(|(n, l, _)| n == name && l == labels);
        found.map(|(_, _, value)| value)
    };
    let state = find("circuit_breaker_state", "name=payments");
    assert_eq!(state, Some(&DebugValue::Gauge(1.0.into())));
    let success = find("circuit_breaker_calls_total", "name=payments,outcome=success");
    assert_eq!(success, Some(&DebugValue::Counter(1)));
    let failure = find("circuit_breaker_calls_total", "name=payments,outcome=failure");
    assert_eq!(failure, Some(&DebugValue::Counter(1)));
    let rejections = find("circuit_breaker_rejections_total", "name=payments");
    assert_eq!(rejections, Some(&DebugValue::Counter(1)));
}
