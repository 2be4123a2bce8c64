//! The benchmark: orders accepted per second end to end, outbox relay throughput and
//! commit-to-publish lag, and consumer throughput, printed as one table.
//!
//! Build the service first (`cargo build --release`), then run
//! `cargo run --release --example bench`. It needs PostgreSQL at `DATABASE_URL` (a database
//! `microservice_bench` is recreated there) and `nats-server`; it starts its own NATS server,
//! an inventory stub, and the service as a separate process, and loads it over HTTP and NATS.

mod load;
mod setup;

use std::time::{Duration, Instant};

use setup::{Bench, Phase};

/// Orders placed over HTTP.
const ORDERS: usize = 10_000;
/// HTTP requests in flight at once.
const CONCURRENCY: usize = 64;
/// Orders placed at a steady rate, below saturation, for the lag at a normal load.
const PACED_ORDERS: usize = 3_000;
/// Their rate, per second.
const PACED_RATE: u32 = 1_000;
/// Events written straight into the outbox for the relay alone.
const BACKLOG: i64 = 50_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = Bench::start().await?;
    let outcome = measure(&bench).await;
    bench.stop();
    print_table(&outcome?);
    Ok(())
}

/// What was measured.
struct Figures {
    orders: Phase,
    saturated_lag_p99_ms: f64,
    paced_lag_p99_ms: f64,
    relay: Phase,
    consumer: Phase,
}

async fn measure(bench: &Bench) -> Result<Figures, Box<dyn std::error::Error>> {
    let orders = load::place_orders(bench, ORDERS, CONCURRENCY).await?;
    let saturated_lag_p99_ms = lag_since(bench, 0).await?;
    let before = bench.outbox_position().await?;
    load::place_paced(bench, PACED_ORDERS, PACED_RATE).await?;
    let paced_lag_p99_ms = lag_since(bench, before).await?;
    let relay = load::relay_backlog(bench, BACKLOG).await?;
    let consumer = load::pay_orders(bench).await?;
    Ok(Figures { orders, saturated_lag_p99_ms, paced_lag_p99_ms, relay, consumer })
}

/// Waits for the outbox to drain, then reads the lag of the events after `position`.
async fn lag_since(bench: &Bench, position: i64) -> Result<f64, Box<dyn std::error::Error>> {
    bench.wait_until("SELECT count(*) FROM outbox WHERE sent_at IS NULL", 0).await?;
    bench.lag_p99_ms(position).await
}

fn print_table(figures: &Figures) {
    println!();
    println!("| measure | count | time | rate | target |");
    println!("|---|---|---|---|---|");
    row("orders accepted end to end (HTTP, inventory call, commit)", figures.orders, "");
    row("outbox relay, from a committed backlog", figures.relay, "≥ 5,000 events/s");
    let lag = |what: &str, millis: f64| println!("| {what} | | | {millis:.1} ms | ≤ 50 ms |");
    lag("outbox commit-to-publish lag, p99, orders at saturation", figures.saturated_lag_p99_ms);
    lag(
        &format!("outbox commit-to-publish lag, p99, orders at {PACED_RATE}/s"),
        figures.paced_lag_p99_ms,
    );
    row(
        "consumer, payment events applied (publish to commit)",
        figures.consumer,
        "≥ 5,000 events/s",
    );
}

fn row(what: &str, phase: Phase, target: &str) {
    let count = u32::try_from(phase.count).map_or(f64::MAX, f64::from);
    let rate = count / phase.elapsed.as_secs_f64();
    println!(
        "| {what} | {} | {:.2} s | {rate:.0}/s | {target} |",
        phase.count,
        phase.elapsed.as_secs_f64()
    );
}

/// Polls `check` every 10 ms until it holds or `limit` passes.
async fn poll<F, Fut>(limit: Duration, mut check: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, Box<dyn std::error::Error>>>,
{
    let deadline = Instant::now() + limit;
    while !check().await? {
        if Instant::now() > deadline {
            return Err("timed out".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}
