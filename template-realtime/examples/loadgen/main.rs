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
//! `--rates` (messages per second) for `--seconds`: the table gives the deliveries per second
//! the clients received and the delivery latency, publication to receipt.
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
    let stats = Arc::new(Stats::default());
    let before = stats::resident_kib(args.server_pid);
    let clients = Clients::open(&args, &stats).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = stats::resident_kib(args.server_pid);
    report_memory(&args, before, idle);
    clients.join_all("bench").await?;
    let joined = stats::resident_kib(args.server_pid);
    println!(
        "memory after each joined one room: {}",
        per_connection(before, joined, args.connections)
    );
    println!();
    println!("| publish rate | deliveries/s | p50 | p99 | max | disconnected |");
    println!("|---|---|---|---|---|---|");
    for rate in &args.rates {
        let step = clients.publish_for(*rate, Duration::from_secs(args.seconds)).await?;
        println!("{}", step.row(*rate));
        if step.disconnected > 0 {
            break;
        }
    }
    Ok(())
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
