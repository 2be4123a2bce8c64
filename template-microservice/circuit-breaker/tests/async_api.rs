//! The plain async API: `call`, `call_classified`, `call_with_fallback`,
//! and cancellation.

mod common;

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Error, OpenWait, Outcome, State};
use common::{on_manual_clock, secs};

fn one_failure_trips() -> CircuitBreaker {
    CircuitBreaker::builder()
        .consecutive_failures(1)
        .half_open_trials(1)
        .open_wait(OpenWait::Fixed(secs(10)))
        .build()
        .expect("valid settings")
}

#[tokio::test]
async fn call_passes_results_through_and_counts_them() {
    let breaker = one_failure_trips();
    assert_eq!(breaker.call(|| async { Ok::<_, &str>(5) }).await, Ok(5));
    let failed = breaker.call(|| async { Err::<u8, _>("boom") }).await;
    assert_eq!(failed.clone().unwrap_err().into_inner(), Some("boom"));
    assert_eq!(failed.unwrap_err().to_string(), "boom");
    let rejected = breaker.call(|| async { Ok::<_, &str>(5) }).await.unwrap_err();
    assert_eq!(rejected.rejected().map(|r| r.state), Some(State::Open));
    assert!(rejected.to_string().contains("open"));
}

#[tokio::test]
async fn the_operation_does_not_run_when_rejected() {
    let breaker = one_failure_trips();
    breaker.handle().force_open();
    let mut ran = false;
    let result = breaker
        .call(|| {
            ran = true;
            async { Ok::<_, ()>(()) }
        })
        .await;
    assert!(result.is_err());
    assert!(!ran);
}

#[tokio::test]
async fn the_classifier_decides_what_counts() {
    let breaker = one_failure_trips();
    let client_errors_ignored = |result: &Result<u16, ()>| match result {
        Ok(status) if *status >= 500 => Outcome::Failure,
        Ok(status) if *status >= 400 => Outcome::Ignored,
        _ => Outcome::Success,
    };
    let status = breaker.call_classified(&client_errors_ignored, || async { Ok(404) });
    assert_eq!(status.await, Ok(404));
    assert_eq!(breaker.state(), State::Closed);
    let status = breaker.call_classified(&client_errors_ignored, || async { Ok(503) });
    assert_eq!(status.await, Ok(503));
    assert_eq!(breaker.state(), State::Open);
}

#[tokio::test]
async fn fallback_runs_only_for_rejected_calls() {
    let (breaker, _clock) = on_manual_clock(
        CircuitBreaker::builder().consecutive_failures(1).open_wait(OpenWait::Fixed(secs(10))),
    );
    let fallback = |rejected: circuit_breaker::Rejected| async move {
        Ok::<_, &str>(rejected.retry_after.as_secs())
    };
    let answer = breaker.call_with_fallback(|| async { Ok(1) }, fallback).await;
    assert_eq!(answer, Ok(1));
    let failed = breaker.call_with_fallback(|| async { Err("down") }, fallback).await;
    assert_eq!(failed, Err("down"));
    let answer = breaker.call_with_fallback(|| async { Ok(1) }, fallback).await;
    assert_eq!(answer, Ok(10), "the fallback saw the retry-after hint");
}

#[tokio::test]
async fn a_cancelled_trial_frees_its_slot() {
    let (breaker, clock) = on_manual_clock(
        CircuitBreaker::builder()
            .consecutive_failures(1)
            .half_open_trials(1)
            .open_wait(OpenWait::Fixed(secs(1))),
    );
    common::trip(&breaker);
    clock.advance(secs(1));
    let hanging = breaker.call(std::future::pending::<Result<(), ()>>);
    let timed_out = tokio::time::timeout(Duration::from_millis(1), hanging).await;
    assert!(timed_out.is_err(), "the call was cancelled");
    assert_eq!(breaker.call(|| async { Ok::<_, ()>(()) }).await, Ok(()));
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn error_sources_chain_to_the_inner_error() {
    use std::error::Error as _;
    let inner = std::io::Error::other("disk");
    let error: Error<std::io::Error> = Error::Inner(inner);
    assert_eq!(error.source().map(ToString::to_string), Some("disk".to_owned()));
    let timeout: Error<std::io::Error> = Error::Timeout(secs(1));
    assert!(timeout.source().is_none());
    assert!(timeout.into_inner().is_none());
}
