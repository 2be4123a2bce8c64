//! Tests of the `tokio` feature: the system clock follows a paused tokio
//! clock, `call_with_timeout` counts timeouts as failures, and the tower
//! layer's backpressure mode sleeps on tokio's timer.

#![cfg(all(feature = "tokio", feature = "tower"))]

mod common;

use circuit_breaker::layer::{CircuitBreakerLayer, TokioSleeper};
use circuit_breaker::{CircuitBreaker, Error, OpenWait, State};
use common::secs;
use tower::{Layer, Service, ServiceExt, service_fn};

fn one_failure_trips() -> CircuitBreaker {
    CircuitBreaker::builder()
        .consecutive_failures(1)
        .half_open_trials(1)
        .open_wait(OpenWait::Fixed(secs(10)))
        .build()
        .expect("valid settings")
}

fn echo() -> impl Service<i32, Response = i32, Error = &'static str, Future: Send> + Clone {
    service_fn(|n: i32| async move { if n < 0 { Err("negative") } else { Ok(n) } })
}

#[tokio::test(start_paused = true)]
async fn the_system_clock_follows_a_paused_tokio_clock() {
    let breaker = one_failure_trips();
    let _ = breaker.call(|| async { Err::<(), _>(()) }).await;
    tokio::time::advance(secs(9)).await;
    let rejected = breaker.try_acquire().unwrap_err();
    assert_eq!(rejected.retry_after, secs(1));
    tokio::time::advance(secs(1)).await;
    assert!(breaker.try_acquire().unwrap().is_trial());
}

#[tokio::test(start_paused = true)]
async fn a_timeout_counts_as_a_failure() {
    let breaker = one_failure_trips();
    let slow = || async {
        tokio::time::sleep(secs(5)).await;
        Ok::<_, &str>(())
    };
    let result = breaker.call_with_timeout(secs(1), slow).await;
    assert_eq!(result, Err(Error::Timeout(secs(1))));
    assert!(result.unwrap_err().to_string().contains("timed out"));
    assert_eq!(breaker.state(), State::Open);
    let rejected = breaker.call_with_timeout(secs(1), slow).await;
    assert!(rejected.unwrap_err().rejected().is_some());
}

#[tokio::test(start_paused = true)]
async fn a_call_within_its_timeout_counts_normally() {
    let breaker = one_failure_trips();
    let quick = || async { Err::<(), _>("no") };
    let result = breaker.call_with_timeout(secs(1), quick).await;
    assert_eq!(result, Err(Error::Inner("no")));
    let ok = breaker.call_with_timeout(secs(1), || async { Ok::<_, ()>(3) });
    assert!(ok.await.unwrap_err().rejected().is_some());
}

#[tokio::test(start_paused = true)]
async fn backpressure_mode_waits_for_the_circuit_to_admit() {
    let breaker = one_failure_trips();
    let layer = CircuitBreakerLayer::new(breaker.clone()).backpressure(TokioSleeper);
    let mut service = layer.layer(echo());
    let _ = service.ready().await.unwrap().call(-1).await;
    assert_eq!(breaker.state(), State::Open);
    let started = tokio::time::Instant::now();
    let answer = service.ready().await.unwrap().call(7).await;
    assert_eq!(answer, Ok(7));
    assert_eq!(started.elapsed(), secs(10), "ready once the open wait was over");
    assert_eq!(breaker.state(), State::Closed);
}
