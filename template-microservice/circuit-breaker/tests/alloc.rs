//! The closed-state path allocates nothing.
//!
//! `allocation-counter` replaces the global allocator of this test binary
//! only (no other test links it), and counts the allocations made by the
//! current thread inside `measure`. The crate keeps `unsafe_code` forbidden.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use allocation_counter::measure;
use circuit_breaker::{CircuitBreaker, Outcome, State};

/// Polls a future that must be ready at once.
fn now_or_never<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future was not ready"),
    }
}

fn outcome(i: u32) -> Outcome {
    if i.is_multiple_of(10) { Outcome::Failure } else { Outcome::Success }
}

fn tenth_fails(i: u32) -> std::future::Ready<Result<u32, u32>> {
    std::future::ready(if i.is_multiple_of(10) { Err(i) } else { Ok(i) })
}

#[test]
fn the_counter_sees_allocations() {
    let info = measure(|| drop(std::hint::black_box(Box::new(1u64))));
    assert_eq!(info.count_total, 1, "else the zero counts below prove nothing");
}

#[test]
fn permits_on_a_count_window_allocate_nothing() {
    let breaker = CircuitBreaker::builder().count_window(1_000).build().unwrap();
    let info = measure(|| {
        for i in 0..20_000 {
            breaker.try_acquire().unwrap().record(outcome(i));
        }
    });
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(info.count_total, 0);
}

#[test]
fn async_calls_on_a_time_window_with_slow_calls_allocate_nothing() {
    let breaker = CircuitBreaker::builder()
        .time_window(Duration::from_hours(1), 10)
        .slow_calls(Duration::from_secs(1), 0.9)
        .build()
        .unwrap();
    let info = measure(|| {
        for i in 0..20_000 {
            let _ = now_or_never(breaker.call(|| tenth_fails(i)));
        }
    });
    assert_eq!(breaker.handle().metrics().window_failures, 2_000);
    assert_eq!(info.count_total, 0);
}

#[cfg(feature = "tower")]
#[test]
fn the_tower_service_allocates_nothing_per_call() {
    use circuit_breaker::layer::CircuitBreakerLayer;
    use tower::{Layer, Service, service_fn};

    let breaker = CircuitBreaker::builder().build().unwrap();
    let inner = service_fn(|n: u32| async move { Ok::<_, ()>(n) });
    let mut service = CircuitBreakerLayer::new(breaker).layer(inner);
    let mut context = Context::from_waker(Waker::noop());
    let info = measure(|| {
        for i in 0..20_000 {
            assert!(service.poll_ready(&mut context).is_ready());
            assert_eq!(now_or_never(service.call(i)), Ok(i));
        }
    });
    assert_eq!(info.count_total, 0);
}
