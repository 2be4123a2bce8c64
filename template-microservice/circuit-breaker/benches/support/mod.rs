//! Bench plumbing: a minimal executor, single-thread and two-thread timing
//! loops for criterion's `iter_custom`, and the closing comparison table.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A waker for the current thread, built once per timing loop.
pub fn thread_waker() -> Waker {
    Waker::from(Arc::new(Unpark(thread::current())))
}

/// Runs `future` to completion on this thread (parks while it is pending).
/// Always inlined, so that every contender's future is built in place as in
/// an async caller, instead of being moved into a separate frame (a copy
/// that would time the harness, not the breaker).
#[allow(clippy::inline_always)]
#[inline(always)]
pub fn block_on<F: Future>(future: F, waker: &Waker) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

/// Per-iteration times of the last samples of each benchmark, in ns.
static SAMPLES: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

fn record(name: &str, elapsed: Duration, iters: u64) {
    let picos = elapsed.as_nanos() * 1_000 / u128::from(iters.max(1));
    let nanos = f64::from(u32::try_from(picos).unwrap_or(u32::MAX)) / 1_000.0;
    let mut samples = SAMPLES.lock().unwrap_or_else(PoisonError::into_inner);
    samples.entry(name.to_owned()).or_default().push(nanos);
}

/// Times `iters` runs of `op` on this thread.
pub fn time_single(name: &str, iters: u64, op: &mut impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    let elapsed = start.elapsed();
    record(name, elapsed, iters);
    elapsed
}

/// Times `iters` runs of an op on each of two threads at once; each thread
/// builds its op with `make` before the clock starts. Returns the slower
/// thread's time, so the figure is the per-call time under contention.
pub fn time_pair<O: FnMut()>(name: &str, iters: u64, make: &(impl Fn() -> O + Sync)) -> Duration {
    let barrier = Barrier::new(2);
    let elapsed = thread::scope(|scope| {
        let run = || {
            let mut op = make();
            barrier.wait();
            let start = Instant::now();
            for _ in 0..iters {
                op();
            }
            start.elapsed()
        };
        let other = scope.spawn(run);
        let mine = run();
        mine.max(other.join().unwrap_or(mine))
    });
    record(name, elapsed, iters);
    elapsed
}

fn median(samples: &[f64], keep: usize) -> f64 {
    let mut last: Vec<f64> = samples[samples.len().saturating_sub(keep)..].to_vec();
    last.sort_by(f64::total_cmp);
    last[last.len() / 2]
}

/// Prints, per thread count, each contender's median time per call, its
/// overhead over the bare call, and how many times our overhead fits in it.
pub fn print_table(keep: usize) {
    let samples = SAMPLES.lock().unwrap_or_else(PoisonError::into_inner);
    println!("\n| threads | contender | ns/call | overhead ns | overhead / ours |");
    println!("| --- | --- | --- | --- | --- |");
    for threads in ["1 thread", "2 threads"] {
        let of = |name: &str| samples.get(&format!("{threads}/{name}")).map(|s| median(s, keep));
        let (Some(baseline), Some(ours)) = (of("baseline"), of("circuit_breaker/call")) else {
            continue;
        };
        let our_overhead = (ours - baseline).max(0.1);
        for (name, times) in samples.iter().filter(|(name, _)| name.starts_with(threads)) {
            let time = median(times, keep);
            let overhead = time - baseline;
            let contender = &name[threads.len() + 1..];
            let ratio = overhead / our_overhead;
            println!("| {threads} | {contender} | {time:.1} | {overhead:.1} | {ratio:.1}x |");
        }
    }
}
