//! What the clients measure, step by step: deliveries against what was expected, a latency
//! histogram with the exact maximum, the publisher's acks and errors, and disconnections; and
//! the node's resident memory.
//!
//! Every published message carries its step number. A receipt counts for the step that is
//! open; one that arrives after its step closed counts as late, never for the next step.
//! Percentiles are taken over every expected delivery: a message that never arrived ranks
//! above every latency, so a step that lost messages cannot report a flattering p99.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Sub-buckets per power of two: latencies are kept within about 6%.
const SUB_BUCKETS: u32 = 16;
const SUB: usize = SUB_BUCKETS as usize;
const BUCKETS: usize = 64 * SUB;

/// Counters shared by every client task.
#[derive(Debug)]
pub struct Stats {
    /// The open step; receipts of any other step are late.
    step: AtomicU64,
    delivered: AtomicU64,
    late: AtomicU64,
    /// When the last delivery arrived, in nanoseconds since the load generator started.
    last_receipt: AtomicU64,
    max_micros: AtomicU64,
    /// `ack` and `error` frames received (the publisher's, or the joins').
    pub acks: AtomicU64,
    pub errors: AtomicU64,
    pub disconnected: AtomicU64,
    latency: Vec<AtomicU64>,
}

impl Default for Stats {
    fn default() -> Self {
        let zero = || AtomicU64::new(0);
        Self {
            step: zero(),
            delivered: zero(),
            late: zero(),
            last_receipt: zero(),
            max_micros: zero(),
            acks: zero(),
            errors: zero(),
            disconnected: zero(),
            latency: (0..BUCKETS).map(|_| zero()).collect(),
        }
    }
}

/// What the publisher did during one step.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    /// The rate asked for, in messages per second.
    pub target_rate: u32,
    /// Messages sent, and how long sending them took.
    pub sent: u64,
    pub sending: Duration,
    /// Messages the node acknowledged, and refused with an `error` frame.
    pub acked: u64,
    pub refused: u64,
    /// Members that must receive each acknowledged message.
    pub members: u64,
    /// When the first message was sent, in nanoseconds since the load generator started.
    pub first_send: u64,
}

/// One step's results.
#[derive(Debug)]
pub struct Step {
    pub published: Published,
    pub expected: u64,
    pub delivered: u64,
    pub deliveries_per_second: u64,
    /// `None` when the quantile falls among the messages that never arrived.
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    pub max: Option<Duration>,
    pub disconnected: u64,
}

impl Stats {
    /// Opens step `step`: clears the counters of the previous one.
    pub fn open(&self, step: u64) {
        for counter in [&self.delivered, &self.last_receipt, &self.max_micros] {
            counter.store(0, Ordering::Relaxed);
        }
        self.latency.iter().for_each(|bucket| bucket.store(0, Ordering::Relaxed));
        self.step.store(step, Ordering::Release);
    }

    /// Closes the open step: what still arrives for it is late.
    pub fn close(&self) {
        self.step.store(0, Ordering::Release);
    }

    /// Records a delivery of step `step`, received at `now` after `latency`.
    pub fn record(&self, step: u64, now: u64, latency: Duration) {
        if step != self.step.load(Ordering::Acquire) {
            self.late.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.delivered.fetch_add(1, Ordering::Relaxed);
        self.last_receipt.fetch_max(now, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).max(1);
        self.max_micros.fetch_max(micros, Ordering::Relaxed);
        self.latency[bucket(micros)].fetch_add(1, Ordering::Relaxed);
    }

    /// Deliveries counted in the open step so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Receipts that arrived after their step closed, over the whole run.
    pub fn late(&self) -> u64 {
        self.late.load(Ordering::Relaxed)
    }

    /// The open step's results, against what the publisher's acks make expected.
    pub fn step(&self, published: Published) -> Step {
        let expected = published.acked * published.members;
        let delivered = self.delivered();
        let counts: Vec<u64> =
            self.latency.iter().map(|bucket| bucket.load(Ordering::Relaxed)).collect();
        let quantile = |per_mille: u64| {
            let rank = (expected * per_mille).div_ceil(1000).max(1);
            (rank <= delivered).then(|| Duration::from_micros(value_at(&counts, rank)))
        };
        let receiving =
            self.last_receipt.load(Ordering::Relaxed).saturating_sub(published.first_send);
        let millis = (receiving / 1_000_000).max(1);
        let max = Duration::from_micros(self.max_micros.load(Ordering::Relaxed));
        Step {
            published,
            expected,
            delivered,
            deliveries_per_second: delivered * 1000 / millis,
            p50: quantile(500),
            p99: quantile(990),
            max: (delivered == expected && delivered > 0).then_some(max),
            disconnected: self.disconnected.load(Ordering::Relaxed),
        }
    }
}

impl Step {
    /// Why the step's figures cannot stand, if they cannot.
    pub fn invalid_because(&self) -> Option<String> {
        let published = &self.published;
        let mut reasons = Vec::new();
        if published.refused > 0 || published.acked < published.sent {
            reasons.push(format!("{} of {} publications acked", published.acked, published.sent));
        }
        if self.delivered < self.expected {
            reasons.push(format!("{} deliveries missing", self.expected - self.delivered));
        }
        if self.disconnected > 0 {
            reasons.push(format!("{} clients disconnected", self.disconnected));
        }
        (!reasons.is_empty()).then(|| reasons.join(", "))
    }

    /// A row of the results table.
    pub fn row(&self) -> String {
        let published = &self.published;
        let achieved = count_f64(published.sent) / published.sending.as_secs_f64().max(1e-9);
        let verdict = self
            .invalid_because()
            .map_or_else(|| "valid".to_owned(), |why| format!("INVALID: {why}"));
        format!(
            "| {} msg/s | {achieved:.1} msg/s | {} / {} | {} | {} | {} | {} | {} | {verdict} |",
            published.target_rate,
            self.expected,
            self.delivered,
            self.deliveries_per_second,
            millis(self.p50),
            millis(self.p99),
            millis(self.max),
            self.disconnected,
        )
    }
}

fn count_f64(count: u64) -> f64 {
    u32::try_from(count).map_or(f64::MAX, f64::from)
}

fn millis(duration: Option<Duration>) -> String {
    duration.map_or_else(
        || "never (lost)".to_owned(),
        |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0),
    )
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
        if seen >= rank {
            let power = u32::try_from(index / SUB).unwrap_or(0);
            let sub = u64::try_from(index % SUB).unwrap_or(0);
            // Below 16 µs the bucket holds one value; above, one 16th of a power of two.
            let Some(shift) = power.checked_sub(SUB_BUCKETS.trailing_zeros()) else {
                return sub + 1;
            };
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
