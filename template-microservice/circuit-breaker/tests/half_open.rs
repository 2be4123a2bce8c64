//! Deterministic tests of the half-open state: admission of trials, their
//! leases, and the verdict they give.

mod common;

use circuit_breaker::{CircuitBreaker, ManualClock, OpenWait, Outcome, State};
use common::{call, on_manual_clock, secs, trip};

/// A breaker that trips on one failure, waits 10 s, and admits `trials`.
fn breaker(trials: u32) -> (CircuitBreaker, ManualClock) {
    on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .open_wait(OpenWait::Fixed(secs(10)))
            .half_open_trials(trials)
            .trial_lease(secs(5)),
    )
}

/// Trips `breaker` and waits out its open state.
fn to_half_open(breaker: &CircuitBreaker, clock: &ManualClock) {
    trip(breaker);
    clock.advance(secs(10));
}

#[test]
fn open_rejects_until_the_wait_is_over() {
    let (breaker, clock) = breaker(1);
    trip(&breaker);
    clock.advance(secs(4));
    let rejected = call(&breaker, Outcome::Success).unwrap_err();
    assert_eq!(rejected.state, State::Open);
    assert_eq!(rejected.retry_after, secs(6));
    clock.advance(secs(6));
    let trial = breaker.try_acquire().unwrap();
    assert!(trial.is_trial());
    assert_eq!(breaker.state(), State::HalfOpen);
}

#[test]
fn admits_exactly_the_permitted_number_of_trials() {
    let (breaker, clock) = breaker(2);
    to_half_open(&breaker, &clock);
    let first = breaker.try_acquire().unwrap();
    clock.advance(secs(1));
    let second = breaker.try_acquire().unwrap();
    let refused = breaker.try_acquire().unwrap_err();
    assert_eq!(refused.state, State::HalfOpen);
    assert_eq!(refused.retry_after, secs(4), "until the first lease runs out");
    drop((first, second));
}

#[test]
fn successful_trials_close_the_breaker_with_a_fresh_window() {
    let (breaker, clock) = breaker(2);
    to_half_open(&breaker, &clock);
    let trials = [breaker.try_acquire().unwrap(), breaker.try_acquire().unwrap()];
    let [first, second] = trials;
    first.record(Outcome::Success);
    assert_eq!(breaker.state(), State::HalfOpen);
    second.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Closed);
    let metrics = breaker.handle().metrics();
    assert_eq!((metrics.window_calls, metrics.consecutive_failures), (0, 0));
    assert!(!breaker.try_acquire().unwrap().is_trial());
}

#[test]
fn a_failed_trial_reopens_as_soon_as_the_rate_is_certain() {
    let (breaker, clock) = breaker(2);
    to_half_open(&breaker, &clock);
    let pending = breaker.try_acquire().unwrap();
    call(&breaker, Outcome::Failure).unwrap();
    assert_eq!(breaker.state(), State::Open);
    pending.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Open, "a late trial changes nothing");
}

#[test]
fn the_failure_rate_decides_among_trials() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .failure_rate(0.5)
            .open_wait(OpenWait::Fixed(secs(1)))
            .half_open_trials(4),
    );
    trip(&breaker);
    clock.advance(secs(1));
    for outcome in [Outcome::Failure, Outcome::Success, Outcome::Success] {
        call(&breaker, outcome).unwrap();
        assert_eq!(breaker.state(), State::HalfOpen);
    }
    call(&breaker, Outcome::Success).unwrap();
    assert_eq!(breaker.state(), State::Closed, "1 of 4 failed, below 0.5");
}

#[test]
fn a_cancelled_or_ignored_trial_frees_its_slot() {
    let (breaker, clock) = breaker(1);
    to_half_open(&breaker, &clock);
    drop(breaker.try_acquire().unwrap());
    call(&breaker, Outcome::Ignored).unwrap();
    let trial = breaker.try_acquire().unwrap();
    assert!(call(&breaker, Outcome::Success).is_err(), "the slot is taken");
    trial.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn a_trial_that_outlives_its_lease_fails_and_reopens() {
    let (breaker, clock) = breaker(1);
    to_half_open(&breaker, &clock);
    let stuck = breaker.try_acquire().unwrap();
    clock.advance(secs(5));
    let rejected = call(&breaker, Outcome::Success).unwrap_err();
    assert_eq!(rejected.state, State::Open, "the expired lease counted as failed");
    assert_eq!(rejected.retry_after, secs(10));
    stuck.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Open);
}

/// A breaker in half-open with two trials, that re-opens only if both fail
/// (failure rate 1.0), so one expired lease alone does not decide.
fn lenient_half_open() -> (CircuitBreaker, ManualClock) {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .failure_rate(1.0)
            .open_wait(OpenWait::Fixed(secs(1)))
            .half_open_trials(2)
            .trial_lease(secs(5)),
    );
    trip(&breaker);
    clock.advance(secs(1));
    (breaker, clock)
}

#[test]
fn an_expired_lease_does_not_stop_other_trials() {
    let (breaker, clock) = lenient_half_open();
    let stuck = breaker.try_acquire().unwrap();
    clock.advance(secs(5));
    call(&breaker, Outcome::Success).unwrap();
    assert_eq!(breaker.state(), State::HalfOpen, "the expired trial's slot is free again");
    call(&breaker, Outcome::Success).unwrap();
    assert_eq!(breaker.state(), State::Closed, "1 failure of 2 is below 1.0");
    drop(stuck);
}

#[test]
fn an_expired_trial_frees_its_slot_while_another_still_runs() {
    let (breaker, clock) = lenient_half_open();
    let stuck = breaker.try_acquire().unwrap();
    clock.advance(secs(2));
    let running = breaker.try_acquire().unwrap();
    clock.advance(secs(3));
    let newcomer = breaker.try_acquire().expect("the expired trial's slot is reused");
    assert!(newcomer.is_trial());
    assert_eq!(breaker.state(), State::HalfOpen, "1 failure of 2 is below 1.0");
    let refused = breaker.try_acquire().unwrap_err();
    assert_eq!(refused.retry_after, secs(2), "until the running trial's lease ends");
    stuck.record(Outcome::Failure);
    running.record(Outcome::Success);
    assert_eq!(breaker.state(), State::HalfOpen, "the reused slot is still out");
    newcomer.record(Outcome::Success);
    assert_eq!(breaker.state(), State::Closed, "the expiry is the only failure");
}

#[test]
fn a_trial_dropped_after_the_verdict_changes_nothing() {
    let (breaker, clock) = breaker(2);
    to_half_open(&breaker, &clock);
    let pending = breaker.try_acquire().unwrap();
    call(&breaker, Outcome::Failure).unwrap();
    clock.advance(secs(10));
    let next_trial = breaker.try_acquire().unwrap();
    drop(pending);
    let other = breaker.try_acquire().unwrap();
    assert!(breaker.try_acquire().is_err(), "both new slots are held");
    drop((next_trial, other));
}
