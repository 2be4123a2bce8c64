//! Deterministic tests of the open state's wait, and of the operator's
//! overrides (forced-open, disabled, reset).

mod common;

use circuit_breaker::{CircuitBreaker, ManualClock, OpenWait, Outcome, State};
use common::{call, calls, on_manual_clock, secs, trip};

fn exponential() -> OpenWait {
    OpenWait::Exponential { initial: secs(1), multiplier: 2.0, max: secs(5) }
}

/// Fails a trial after the current open wait, which must be `expected`.
fn reopen_after(breaker: &CircuitBreaker, clock: &ManualClock, expected: u64) {
    let rejected = call(breaker, Outcome::Success).expect_err("open");
    assert_eq!(rejected.retry_after, secs(expected));
    clock.advance(secs(expected));
    call(breaker, Outcome::Failure).expect("a trial");
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn exponential_waits_grow_across_consecutive_trips_and_cap() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .half_open_trials(1)
            .open_wait(exponential()),
    );
    trip(&breaker);
    for expected in [1, 2, 4, 5] {
        reopen_after(&breaker, &clock, expected);
    }
}

#[test]
fn closing_restarts_the_backoff() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .half_open_trials(1)
            .open_wait(exponential()),
    );
    trip(&breaker);
    reopen_after(&breaker, &clock, 1);
    clock.advance(secs(2));
    call(&breaker, Outcome::Success).unwrap();
    assert_eq!(breaker.state(), State::Closed);
    trip(&breaker);
    assert_eq!(call(&breaker, Outcome::Success).unwrap_err().retry_after, secs(1));
}

#[test]
fn jitter_shortens_waits_reproducibly() {
    let waits = |seed: u64| {
        let (breaker, clock) = on_manual_clock(
            CircuitBreaker::builder()
                .consecutive_failures(1)
                .half_open_trials(1)
                .open_wait(OpenWait::Fixed(secs(100)))
                .jitter(0.5)
                .jitter_seed(seed),
        );
        let mut waits = Vec::new();
        trip(&breaker);
        for _ in 0..5 {
            let wait = call(&breaker, Outcome::Success).unwrap_err().retry_after;
            waits.push(wait);
            clock.advance(wait);
            call(&breaker, Outcome::Failure).unwrap();
        }
        waits
    };
    let first = waits(7);
    assert_eq!(first, waits(7));
    assert_ne!(first, waits(8));
    assert!(first.iter().all(|wait| *wait > secs(50) && *wait <= secs(100)));
}

#[test]
fn forced_open_rejects_everything_until_reset() {
    let (breaker, clock) = on_manual_clock(CircuitBreaker::builder());
    let handle = breaker.handle();
    handle.force_open();
    clock.advance(secs(3_600));
    let rejected = call(&breaker, Outcome::Success).unwrap_err();
    assert_eq!(rejected.state, State::ForcedOpen);
    assert!(!rejected.to_string().is_empty());
    handle.reset();
    call(&breaker, Outcome::Success).unwrap();
}

#[test]
fn disabled_records_but_never_trips() {
    let (breaker, _) = on_manual_clock(CircuitBreaker::builder().consecutive_failures(1));
    let handle = breaker.handle();
    handle.disable();
    calls(&breaker, Outcome::Failure, 50);
    assert_eq!(handle.state(), State::Disabled);
    let metrics = handle.metrics();
    assert_eq!((metrics.window_failures, metrics.failures), (50, 50));
    handle.reset();
    assert_eq!(handle.metrics().window_calls, 0, "reset empties the window");
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(handle.state(), State::Open);
}

#[test]
fn reset_closes_an_open_breaker() {
    let (breaker, _) = on_manual_clock(CircuitBreaker::builder().consecutive_failures(1));
    trip(&breaker);
    breaker.handle().reset();
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.handle().metrics().transitions, 2);
}

#[test]
fn a_late_result_from_a_disabled_period_is_ignored() {
    let (breaker, _) = on_manual_clock(CircuitBreaker::builder().consecutive_failures(1));
    breaker.handle().disable();
    let late = breaker.try_acquire().unwrap();
    breaker.handle().reset();
    late.record(Outcome::Failure);
    assert_eq!(breaker.state(), State::Closed);
}
