//! The benchmark's load generator: run it against a node in release mode, from its own
//! process, so that the node's figures are its own.
//!
//! ```sh
//! cargo run --release --example loadgen -- --address 127.0.0.1:8080 --secret "$JWT_SECRET" \
//!     --issuer "$JWT_ISSUER" --audience "$JWT_AUDIENCE" --server-pid <pid of the node>
//! ```
//!
//! It opens `--connections` authenticated WebSockets (from several loopback addresses, so
//! ephemeral ports never run out) and reports the node's resident memory per idle connection.
//! Then every connection joins one room, and a publisher sends to it at each rate of
//! `--rates` (messages per second) for `--seconds`. Each row gives the rate asked for and the
//! rate achieved, the deliveries expected (acknowledged publications × members) and made,
//! deliveries per second, and the delivery latency, publication to receipt, over every
//! expected delivery: a lost message counts as never delivered, so a step that lost any has
//! no p99 to flatter it, and the row is marked INVALID with the reason.
//! Give the node `MESSAGE_RATE_PER_SECOND` above the highest rate, and raise both processes'
//! file limits (`ulimit -n`) above the connection count.

mod args;
mod clients;
mod stats;

use std::sync::Arc;
use std::time::Duration;

use args::Args;
use clients::Clients;
use stats::Stats;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse(std::env::args().skip(1))?;
    println!("$ {}", std::env::args().collect::<Vec<_>>().join(" "));
    println!("{}", machine());
    let stats = Arc::new(Stats::default());
    let before = stats::resident_kib(args.server_pid);
    let mut clients = Clients::open(&args, &stats).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = stats::resident_kib(args.server_pid);
    report_memory(&args, before, idle);
    let members = clients.join_all("bench").await?;
    let joined = stats::resident_kib(args.server_pid);
    println!("members that joined: {members} of {}", args.connections);
    println!(
        "memory after each joined one room: {}",
        per_connection(before, joined, args.connections)
    );
    println!();
    println!(
        "| target rate | achieved rate | expected / delivered | deliveries/s | p50 | p99 | max | disconnected | run |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (step, rate) in (1..).zip(&args.rates) {
        let result = clients.publish_for(step, *rate, Duration::from_secs(args.seconds)).await?;
        println!("{}", result.row());
        if result.disconnected > 0 {
            break;
        }
    }
    println!("\nreceipts that arrived after their step closed: {}", stats.late());
    Ok(())
}

/// The machine's core count and load average, printed before any figure.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("machine: {cores} cores, load average {}", load.join(" "))
}

fn report_memory(args: &Args, before: Option<u64>, idle: Option<u64>) {
    println!(
        "server resident memory: {} KiB before, {} KiB with {} idle connections",
        before.unwrap_or_default(),
        idle.unwrap_or_default(),
        args.connections
    );
    println!(
        "memory per idle authenticated connection: {}",
        per_connection(before, idle, args.connections)
    );
}

fn per_connection(before: Option<u64>, after: Option<u64>, connections: usize) -> String {
    let (Some(before), Some(after)) = (before, after) else {
        return "unknown (give --server-pid)".to_owned();
    };
    let connections = u64::try_from(connections.max(1)).unwrap_or(u64::MAX);
    let bytes = after.saturating_sub(before) * 1024 / connections;
    format!("{}.{:02} KB ({bytes} bytes)", bytes / 1000, bytes % 1000 / 10)
}
