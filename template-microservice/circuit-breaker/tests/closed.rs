//! Deterministic tests of the closed state: what trips the breaker and what
//! does not, on a manual clock.

mod common;

use circuit_breaker::{CircuitBreaker, Outcome, State};
use common::{call, calls, millis, on_manual_clock, secs, timed_call};

#[test]
fn trips_when_the_failure_rate_reaches_the_threshold() {
    let (breaker, _) = on_manual_clock(
        CircuitBreaker::builder().count_window(10).minimum_calls(4).failure_rate(0.5),
    );
    calls(&breaker, Outcome::Success, 2);
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Closed, "1 of 3 failed");
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Open, "2 of 4 failed");
}

#[test]
fn never_trips_below_the_minimum_number_of_calls() {
    let (breaker, _) = on_manual_clock(CircuitBreaker::builder().minimum_calls(5));
    calls(&breaker, Outcome::Failure, 4);
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.handle().metrics().window_failures, 4);
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn the_count_window_forgets_calls_older_than_its_size() {
    let (breaker, _) = on_manual_clock(
        CircuitBreaker::builder().count_window(4).minimum_calls(4).failure_rate(0.75),
    );
    calls(&breaker, Outcome::Failure, 2);
    calls(&breaker, Outcome::Success, 4);
    let metrics = breaker.handle().metrics();
    assert_eq!((metrics.window_calls, metrics.window_failures), (4, 0));
    calls(&breaker, Outcome::Failure, 2);
    assert_eq!(breaker.state(), State::Closed, "2 of the last 4 failed");
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Open, "3 of the last 4 failed");
}

#[test]
fn the_time_window_forgets_expired_buckets() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder().time_window(secs(10), 10).minimum_calls(3).failure_rate(0.6),
    );
    calls(&breaker, Outcome::Failure, 2);
    clock.advance(secs(10));
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Closed, "the first two expired");
    assert_eq!(breaker.handle().metrics().window_calls, 1);
    clock.advance(secs(1));
    calls(&breaker, Outcome::Success, 1);
    calls(&breaker, Outcome::Failure, 1);
    assert_eq!(breaker.state(), State::Open, "2 of 3 failed in the window");
}

#[test]
fn trips_on_the_slow_call_rate() {
    let (breaker, clock) =
        on_manual_clock(CircuitBreaker::builder().minimum_calls(2).slow_calls(millis(100), 1.0));
    timed_call(&breaker, &clock, Outcome::Success, millis(100)).unwrap();
    assert_eq!(breaker.state(), State::Closed, "below the minimum");
    timed_call(&breaker, &clock, Outcome::Success, millis(99)).unwrap();
    timed_call(&breaker, &clock, Outcome::Success, millis(150)).unwrap();
    assert_eq!(breaker.state(), State::Closed, "2 of 3 slow");
    let metrics = breaker.handle().metrics();
    assert_eq!((metrics.window_slow_calls, metrics.slow_calls), (2, 2));
    timed_call(&breaker, &clock, Outcome::Success, millis(150)).unwrap();
    assert_eq!(breaker.state(), State::Closed, "the 99 ms call is still in");
    let (breaker, clock) =
        on_manual_clock(CircuitBreaker::builder().minimum_calls(2).slow_calls(millis(100), 0.5));
    timed_call(&breaker, &clock, Outcome::Success, millis(1)).unwrap();
    timed_call(&breaker, &clock, Outcome::Failure, millis(200)).unwrap();
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn trips_on_consecutive_failures_only_without_a_success_between() {
    let (breaker, _) =
        on_manual_clock(CircuitBreaker::builder().no_failure_rate().consecutive_failures(3));
    calls(&breaker, Outcome::Failure, 2);
    call(&breaker, Outcome::Success).unwrap();
    calls(&breaker, Outcome::Failure, 2);
    assert_eq!(breaker.handle().metrics().consecutive_failures, 2);
    assert_eq!(breaker.state(), State::Closed);
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn ignored_results_are_not_counted() {
    let (breaker, _) =
        on_manual_clock(CircuitBreaker::builder().minimum_calls(1).consecutive_failures(2));
    calls(&breaker, Outcome::Ignored, 10);
    let metrics = breaker.handle().metrics();
    assert_eq!((metrics.window_calls, metrics.ignored), (0, 10));
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn a_dropped_permit_counts_nothing() {
    let (breaker, _) = on_manual_clock(CircuitBreaker::builder().minimum_calls(1));
    for _ in 0..5 {
        drop(breaker.try_acquire().unwrap());
    }
    assert_eq!(breaker.handle().metrics().window_calls, 0);
}

#[test]
fn a_result_from_before_a_trip_is_not_counted_after_it() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .open_wait(circuit_breaker::OpenWait::Fixed(secs(1)))
            .half_open_trials(1),
    );
    let late = breaker.try_acquire().unwrap();
    common::trip(&breaker);
    clock.advance(secs(1));
    let trial = breaker.try_acquire().unwrap();
    assert!(trial.is_trial());
    late.record(Outcome::Failure);
    assert_eq!(breaker.state(), State::HalfOpen, "the late failure was ignored");
    trial.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.handle().metrics().window_calls, 0);
}

#[test]
fn invalid_settings_are_refused() {
    let builders = [
        CircuitBreaker::builder().count_window(0),
        CircuitBreaker::builder().count_window(70_000),
        CircuitBreaker::builder().time_window(secs(1), 0),
        CircuitBreaker::builder().time_window(common::millis(0), 5),
        CircuitBreaker::builder().failure_rate(0.0),
        CircuitBreaker::builder().slow_calls(secs(1), 1.5),
        CircuitBreaker::builder().consecutive_failures(0),
        CircuitBreaker::builder().half_open_trials(0),
        CircuitBreaker::builder().trial_lease(secs(0)),
        CircuitBreaker::builder().jitter(-0.1),
    ];
    for builder in builders {
        let error = builder.build().unwrap_err();
        assert!(!error.to_string().is_empty());
        assert!(!error.field().is_empty());
    }
}
