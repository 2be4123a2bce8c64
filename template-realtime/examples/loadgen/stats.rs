//! What the clients measure: deliveries, a latency histogram, disconnections; and the node's
//! resident memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Sub-buckets per power of two: latencies are kept within about 6%.
const SUB_BUCKETS: u32 = 16;
const SUB: usize = SUB_BUCKETS as usize;
const BUCKETS: usize = 64 * SUB;

/// Counters shared by every client task.
#[derive(Debug)]
pub struct Stats {
    pub delivered: AtomicU64,
    /// When the last delivery arrived, in nanoseconds since the load generator started.
    pub last_receipt: AtomicU64,
    pub disconnected: AtomicU64,
    latency: Vec<AtomicU64>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            delivered: AtomicU64::new(0),
            last_receipt: AtomicU64::new(0),
            disconnected: AtomicU64::new(0),
            latency: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// One publish rate's results.
#[derive(Debug)]
pub struct Step {
    pub deliveries_per_second: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub disconnected: u64,
}

impl Step {
    /// A row of the results table.
    pub fn row(&self, rate: u32) -> String {
        format!(
            "| {rate} msg/s | {} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            self.deliveries_per_second,
            millis(self.p50),
            millis(self.p99),
            millis(self.max),
            self.disconnected
        )
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

impl Stats {
    /// Records one delivery, received at `now` after `latency`.
    pub fn record(&self, now: u64, latency: Duration) {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        self.last_receipt.fetch_max(now, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).max(1);
        self.latency[bucket(micros)].fetch_add(1, Ordering::Relaxed);
    }

    /// Clears the counters for the next step.
    pub fn reset(&self) {
        self.delivered.store(0, Ordering::Relaxed);
        self.last_receipt.store(0, Ordering::Relaxed);
        self.latency.iter().for_each(|bucket| bucket.store(0, Ordering::Relaxed));
    }

    /// The step's results; deliveries per second count from `first_send` to the last receipt
    /// (both in nanoseconds since the load generator started).
    pub fn step(&self, first_send: u64) -> Step {
        let elapsed = Duration::from_nanos(
            self.last_receipt.load(Ordering::Relaxed).saturating_sub(first_send),
        );
        let counts: Vec<u64> =
            self.latency.iter().map(|bucket| bucket.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        let quantile = |per_mille: u64| {
            Duration::from_micros(value_at(&counts, (total * per_mille).div_ceil(1000)))
        };
        let millis = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX).max(1);
        Step {
            deliveries_per_second: self.delivered.load(Ordering::Relaxed) * 1000 / millis,
            p50: quantile(500),
            p99: quantile(990),
            max: quantile(1000),
            disconnected: self.disconnected.load(Ordering::Relaxed),
        }
    }
}

fn bucket(micros: u64) -> usize {
    let power = micros.ilog2();
    let shift = power.saturating_sub(SUB_BUCKETS.trailing_zeros());
    let sub = usize::try_from((micros >> shift) & u64::from(SUB_BUCKETS - 1)).unwrap_or(0);
    usize::try_from(power).unwrap_or(0) * SUB + sub
}

/// The upper bound of the bucket holding the `rank`-th value.
fn value_at(counts: &[u64], rank: u64) -> u64 {
    let mut seen = 0;
    for (index, count) in counts.iter().enumerate() {
        seen += count;
        if seen >= rank.max(1) {
            let power = u32::try_from(index / SUB).unwrap_or(0);
            let shift = power.saturating_sub(SUB_BUCKETS.trailing_zeros());
            let sub = u64::try_from(index % SUB).unwrap_or(0);
            return (sub + u64::from(SUB_BUCKETS) + 1) << shift;
        }
    }
    0
}

/// The resident memory of a process, in KiB, from `/proc`.
pub fn resident_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
