//! Loom models of the breaker's concurrency: half-open admission never lets
//! more trials run than permitted, transitions happen once, and results
//! racing a transition never leak into the next state.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p circuit-breaker --release --test loom`.

#![cfg(loom)]

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, ManualClock, OpenWait, Outcome, State};
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

/// Trips on one failure, stays open for `wait` (on a clock that never
/// moves), admits `trials` trials.
fn breaker(trials: u32, wait: Duration) -> CircuitBreaker {
    CircuitBreaker::builder()
        .clock(ManualClock::new())
        .consecutive_failures(1)
        .half_open_trials(trials)
        .open_wait(OpenWait::Fixed(wait))
        .build()
        .expect("valid settings")
}

fn model(body: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(body);
}

/// Takes a trial if one is free, checks how many run at once, ends it.
fn try_trial(breaker: &CircuitBreaker, running: &AtomicUsize, permitted: usize, outcome: Outcome) {
    let Ok(permit) = breaker.try_acquire() else {
        return;
    };
    if !permit.is_trial() {
        return permit.record(outcome);
    }
    let now_running = running.fetch_add(1, Ordering::SeqCst) + 1;
    assert!(now_running <= permitted, "{now_running} trials ran at once");
    running.fetch_sub(1, Ordering::SeqCst);
    permit.record(outcome);
}

#[test]
fn half_open_never_runs_more_trials_than_permitted() {
    model(|| {
        let breaker = breaker(1, Duration::ZERO);
        breaker.try_acquire().unwrap().record(Outcome::Failure);
        let running = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = [Outcome::Success, Outcome::Ignored]
            .into_iter()
            .map(|outcome| {
                let (breaker, running) = (breaker.clone(), Arc::clone(&running));
                thread::spawn(move || try_trial(&breaker, &running, 1, outcome))
            })
            .collect();
        try_trial(&breaker, &running, 1, Outcome::Failure);
        for thread in threads {
            thread.join().unwrap();
        }
    });
}

#[test]
fn cancelled_trials_free_their_slot_under_contention() {
    model(|| {
        let breaker = breaker(1, Duration::ZERO);
        breaker.try_acquire().unwrap().record(Outcome::Failure);
        let other = breaker.clone();
        let thread = thread::spawn(move || drop(other.try_acquire()));
        let _ = breaker.try_acquire();
        thread.join().unwrap();
        let trial = breaker.try_acquire().expect("no slot is left held");
        assert!(trial.is_trial());
    });
}

#[test]
fn an_expired_trial_slot_goes_to_exactly_one_newcomer() {
    model(|| {
        let clock = ManualClock::new();
        let breaker = CircuitBreaker::builder()
            .clock(clock.clone())
            .consecutive_failures(1)
            .failure_rate(1.0)
            .half_open_trials(2)
            .trial_lease(Duration::from_nanos(20))
            .open_wait(OpenWait::Fixed(Duration::ZERO))
            .build()
            .expect("valid settings");
        breaker.try_acquire().unwrap().record(Outcome::Failure);
        let _stuck = breaker.try_acquire().unwrap();
        clock.advance(Duration::from_nanos(10));
        let _running = breaker.try_acquire().unwrap();
        clock.advance(Duration::from_nanos(10));
        let other = breaker.clone();
        // Both permits are held until counted, so neither frees its slot early.
        let thread = thread::spawn(move || other.try_acquire_owned().ok());
        let mine = breaker.try_acquire_owned().ok();
        let theirs = thread.join().unwrap();
        let trials = [mine, theirs].iter().flatten().filter(|p| p.is_trial()).count();
        assert_eq!(trials, 1, "the expired slot, and only it, is reused");
        assert_eq!(breaker.state(), State::HalfOpen);
    });
}

#[test]
fn concurrent_failures_trip_exactly_once() {
    model(|| {
        let breaker = breaker(1, Duration::from_secs(1));
        let other = breaker.clone();
        let thread = thread::spawn(move || other.try_acquire().map(|p| p.record(Outcome::Failure)));
        let _ = breaker.try_acquire().map(|p| p.record(Outcome::Failure));
        let _ = thread.join().unwrap();
        assert_eq!(breaker.state(), State::Open);
        assert_eq!(breaker.handle().metrics().transitions, 1);
    });
}

#[test]
fn a_result_racing_a_reset_never_reaches_the_new_window() {
    model(|| {
        let breaker = CircuitBreaker::builder()
            .clock(ManualClock::new())
            .count_window(2)
            .minimum_calls(100)
            .build()
            .unwrap();
        let permit_breaker = breaker.clone();
        let handle = breaker.handle();
        let thread = thread::spawn(move || {
            permit_breaker.try_acquire().unwrap().record(Outcome::Failure);
        });
        handle.reset();
        thread.join().unwrap();
        let metrics = handle.metrics();
        assert!(metrics.window_failures <= 1);
        assert_eq!(metrics.window_calls, metrics.window_failures);
    });
}

#[test]
fn concurrent_records_keep_the_window_totals_exact() {
    model(|| {
        let breaker = CircuitBreaker::builder()
            .clock(ManualClock::new())
            .count_window(2)
            .minimum_calls(100)
            .build()
            .unwrap();
        let other = breaker.clone();
        let thread = thread::spawn(move || other.try_acquire().unwrap().record(Outcome::Failure));
        breaker.try_acquire().unwrap().record(Outcome::Failure);
        thread.join().unwrap();
        breaker.try_acquire().unwrap().record(Outcome::Success);
        let metrics = breaker.handle().metrics();
        assert_eq!((metrics.window_calls, metrics.window_failures), (2, 1));
    });
}

#[test]
fn time_window_rotation_under_contention_keeps_totals_exact() {
    model(|| {
        let clock = ManualClock::new();
        let breaker = CircuitBreaker::builder()
            .clock(clock.clone())
            .time_window(Duration::from_nanos(20), 2)
            .minimum_calls(100)
            .build()
            .unwrap();
        let other = breaker.clone();
        let thread = thread::spawn(move || other.try_acquire().unwrap().record(Outcome::Failure));
        clock.advance(Duration::from_nanos(10));
        breaker.try_acquire().unwrap().record(Outcome::Success);
        thread.join().unwrap();
        let metrics = breaker.handle().metrics();
        assert_eq!((metrics.window_calls, metrics.window_failures), (2, 1));
        clock.advance(Duration::from_nanos(20));
        assert_eq!(breaker.handle().metrics().window_calls, 0);
    });
}
