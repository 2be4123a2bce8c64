//! The tower layer: reject mode, backpressure mode, readiness order,
//! classification and cancellation.

#![cfg(feature = "tower")]

mod common;

use std::task::Poll;

use circuit_breaker::layer::{CircuitBreakerLayer, Mode};
use circuit_breaker::{CircuitBreaker, OpenWait, Outcome, State};
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

#[tokio::test]
async fn reject_mode_fails_fast_once_open() {
    let (breaker, _clock) = common::on_manual_clock(
        CircuitBreaker::builder().consecutive_failures(1).open_wait(OpenWait::Fixed(secs(10))),
    );
    let mut service = CircuitBreakerLayer::new(breaker.clone()).layer(echo());
    assert_eq!(service.ready().await.unwrap().call(1).await, Ok(1));
    let failed = service.ready().await.unwrap().call(-1).await.unwrap_err();
    assert_eq!(failed.into_inner(), Some("negative"));
    assert_eq!(breaker.state(), State::Open);
    let refused = service.ready().await.unwrap().call(1).await.unwrap_err();
    assert_eq!(refused.rejected().unwrap().retry_after, secs(10));
    assert_eq!(service.breaker().handle().metrics().rejected, 1);
}

#[tokio::test]
async fn an_open_circuit_answers_before_the_inner_readiness() {
    let breaker = one_failure_trips();
    breaker.handle().force_open();
    let mut service = CircuitBreakerLayer::new(breaker).layer(NeverReady);
    let ready = futures_poll(&mut service);
    assert!(matches!(ready, Poll::Ready(Ok(()))), "the inner service is never ready");
    assert!(service.call(1).await.unwrap_err().rejected().is_some());
}

#[tokio::test]
async fn a_closed_circuit_waits_for_the_inner_readiness() {
    let mut service = CircuitBreakerLayer::new(one_failure_trips()).layer(NeverReady);
    assert!(futures_poll(&mut service).is_pending());
}

#[tokio::test]
async fn call_without_poll_ready_still_asks_the_breaker() {
    let breaker = one_failure_trips();
    let mut service = CircuitBreakerLayer::new(breaker.clone()).layer(echo());
    assert_eq!(service.call(2).await, Ok(2));
    breaker.handle().force_open();
    assert!(service.call(2).await.unwrap_err().rejected().is_some());
}

#[tokio::test]
async fn the_classifier_applies_to_responses() {
    let breaker = one_failure_trips();
    let layer = CircuitBreakerLayer::new(breaker.clone()).classifier(
        |result: &Result<i32, &'static str>| match result {
            Err(_) => Outcome::Ignored,
            Ok(_) => Outcome::Success,
        },
    );
    let mut service = layer.layer(echo());
    let _ = service.ready().await.unwrap().call(-1).await;
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.handle().metrics().ignored, 1);
}

#[tokio::test]
async fn a_dropped_response_frees_the_trial_slot() {
    let breaker = CircuitBreaker::builder()
        .consecutive_failures(1)
        .half_open_trials(1)
        .open_wait(OpenWait::Fixed(std::time::Duration::ZERO))
        .build()
        .unwrap();
    let slow = service_fn(|()| std::future::pending::<Result<(), ()>>());
    let mut service = CircuitBreakerLayer::new(breaker.clone()).mode(Mode::Reject).layer(slow);
    common::trip(&breaker);
    let pending = service.ready().await.unwrap().call(());
    assert!(breaker.try_acquire().is_err(), "the only slot is held");
    drop(pending);
    assert!(breaker.try_acquire().unwrap().is_trial());
}

#[test]
fn clones_share_the_breaker_but_not_admissions() {
    let layer = CircuitBreakerLayer::new(one_failure_trips());
    let service = layer.layer(NeverReady);
    let clone = service.clone();
    assert!(format!("{clone:?}").contains("CircuitBreakerService"));
    assert!(format!("{layer:?}").contains("Reject"));
    assert_eq!(clone.breaker().state(), service.breaker().state());
}

/// A service that is never ready.
#[derive(Debug, Clone)]
struct NeverReady;

impl Service<i32> for NeverReady {
    type Response = i32;
    type Error = ();
    type Future = std::future::Ready<Result<i32, ()>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Pending
    }

    fn call(&mut self, request: i32) -> Self::Future {
        std::future::ready(Ok(request))
    }
}

fn futures_poll<S: Service<i32>>(service: &mut S) -> Poll<Result<(), S::Error>> {
    let waker = std::task::Waker::noop();
    service.poll_ready(&mut std::task::Context::from_waker(waker))
}
