//! Closed-state overhead per call: a bare call, this crate (permit, async
//! call, tower service, time window), failsafe and tower-resilience's
//! circuit breaker, on one thread and on two contending threads.
//!
//! Every breaker and service is built before the timed loops; each call is
//! a successful, immediately-ready async operation (or closure, for the
//! synchronous variants). Run with `cargo bench -p circuit-breaker`; a
//! summary table closes the output.

mod support;

use std::hint::black_box;
use std::time::Duration;

use circuit_breaker::layer::CircuitBreakerLayer;
use circuit_breaker::{CircuitBreaker, Outcome};
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use support::{block_on, thread_waker, time_pair, time_single};
use tower::{Layer, Service, ServiceExt, service_fn};

const SAMPLES: usize = 40;

async fn work() -> Result<u64, ()> {
    Ok(black_box(7))
}

fn ours() -> CircuitBreaker {
    CircuitBreaker::builder().count_window(100).build().expect("valid")
}

fn ours_time_window() -> CircuitBreaker {
    let length = Duration::from_mins(1);
    CircuitBreaker::builder().time_window(length, 60).build().expect("valid")
}

type Failsafe = failsafe::StateMachine<
    failsafe::failure_policy::OrElse<
        failsafe::failure_policy::SuccessRateOverTimeWindow<failsafe::backoff::EqualJittered>,
        failsafe::failure_policy::ConsecutiveFailures<failsafe::backoff::EqualJittered>,
    >,
    (),
>;

fn failsafe_breaker() -> Failsafe {
    failsafe::Config::new().build()
}

/// Registers one benchmark per thread count for an op built by `make`.
fn bench<O: FnMut()>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    make: impl Fn() -> O + Sync,
) {
    let single = format!("1 thread/{name}");
    group.bench_function(&single, |b| {
        let mut op = make();
        b.iter_custom(|iters| time_single(&single, iters, &mut op));
    });
    let pair = format!("2 threads/{name}");
    group.bench_function(&pair, |b| {
        b.iter_custom(|iters| time_pair(&pair, iters, &make));
    });
}

fn our_contenders(group: &mut BenchmarkGroup<'_, WallTime>) {
    let breaker = &ours();
    bench(group, "circuit_breaker/permit", || {
        || {
            let permit = breaker.try_acquire().expect("closed");
            black_box(black_box(7) + 1);
            permit.record(Outcome::Success);
        }
    });
    bench(group, "circuit_breaker/call", || {
        let waker = thread_waker();
        move || {
            let _ = black_box(block_on(breaker.call(work), &waker));
        }
    });
    let timed = &ours_time_window();
    bench(group, "circuit_breaker/call_time_window", || {
        let waker = thread_waker();
        move || {
            let _ = black_box(block_on(timed.call(work), &waker));
        }
    });
    let layer = CircuitBreakerLayer::new(ours());
    bench(group, "circuit_breaker/tower", || {
        let (waker, mut service) = (thread_waker(), layer.layer(service_fn(|()| work())));
        move || {
            let _ = black_box(block_on(service.ready_oneshot_call(), &waker));
        }
    });
}

fn peer_contenders(group: &mut BenchmarkGroup<'_, WallTime>) {
    let breaker = &failsafe_breaker();
    bench(group, "failsafe/sync", || {
        || {
            let _ =
                black_box(failsafe::CircuitBreaker::call(breaker, || black_box(Ok::<u64, ()>(7))));
        }
    });
    bench(group, "failsafe/futures", || {
        let waker = thread_waker();
        move || {
            let _ = black_box(block_on(
                failsafe::futures::CircuitBreaker::call(breaker, work()),
                &waker,
            ));
        }
    });
    let layer =
        tower_resilience::circuitbreaker::CircuitBreakerLayer::builder().build().expect("valid");
    bench(group, "tower_resilience/tower", || {
        let (waker, mut service) = (thread_waker(), layer.layer(service_fn(|()| work())));
        move || {
            let _ = black_box(block_on(service.ready_oneshot_call(), &waker));
        }
    });
}

/// `ready().await` then `call(())`, as a tower client does per request.
trait ReadyCall {
    type Output;
    fn ready_oneshot_call(&mut self) -> impl Future<Output = Self::Output>;
}

impl<S: Service<()>> ReadyCall for S {
    type Output = Result<S::Response, S::Error>;
    async fn ready_oneshot_call(&mut self) -> Self::Output {
        self.ready().await?.call(()).await
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = criterion.benchmark_group("closed_path");
    bench(&mut group, "baseline", || {
        let waker = thread_waker();
        move || {
            let _ = black_box(block_on(work(), &waker));
        }
    });
    our_contenders(&mut group);
    peer_contenders(&mut group);
    group.finish();
    criterion.final_summary();
    support::print_table(SAMPLES);
}
