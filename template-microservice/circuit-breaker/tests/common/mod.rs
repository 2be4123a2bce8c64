//! Helpers shared by the integration tests: breakers on a manual clock, and
//! one-line calls that succeed, fail or run slowly.

#![allow(dead_code)]

use std::time::Duration;

use circuit_breaker::{Builder, CircuitBreaker, ManualClock, Outcome, Rejected, State};

/// A breaker built from `builder` on a fresh manual clock.
pub fn on_manual_clock(builder: Builder) -> (CircuitBreaker, ManualClock) {
    let clock = ManualClock::new();
    let breaker = builder.clock(clock.clone()).build().expect("valid config");
    (breaker, clock)
}

/// Makes one call with `outcome`; `Err` if the breaker refused it.
pub fn call(breaker: &CircuitBreaker, outcome: Outcome) -> Result<(), Rejected> {
    breaker.try_acquire().map(|permit| permit.record(outcome))
}

/// Makes one call that lasts `duration` on `clock`.
pub fn timed_call(
    breaker: &CircuitBreaker,
    clock: &ManualClock,
    outcome: Outcome,
    duration: Duration,
) -> Result<(), Rejected> {
    let permit = breaker.try_acquire()?;
    clock.advance(duration);
    permit.record(outcome);
    Ok(())
}

/// Makes `count` calls with `outcome`, all admitted.
pub fn calls(breaker: &CircuitBreaker, outcome: Outcome, count: usize) {
    for _ in 0..count {
        call(breaker, outcome).expect("admitted");
    }
}

/// Trips `breaker` (built with `consecutive_failures(1)` or similar) and
/// checks that it opened.
pub fn trip(breaker: &CircuitBreaker) {
    call(breaker, Outcome::Failure).expect("admitted");
    assert_eq!(breaker.state(), State::Open);
}

/// Seconds as a `Duration`.
pub fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// Milliseconds as a `Duration`.
pub fn millis(milliseconds: u64) -> Duration {
    Duration::from_millis(milliseconds)
}
