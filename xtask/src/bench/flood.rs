//! `cargo xtask bench rest-flood [--binary PATH]`: template-rest under a flood of clients that
//! send a registration or a login and hang up at once, each from an address of its own (as a
//! botnet would, so that no per-address limit stops them), while a normal client keeps logging
//! in; then the same client alone, right after the flood.
//!
//! It prints the command, the core count and the load average, what the normal client saw
//! (successes, refusals, latencies), how many flood requests were sent, the hashing jobs run,
//! skipped and refused (from `/metrics`), and the service's resident memory. Every setting is
//! the production default, except `TRUSTED_PROXY_HOPS=1` (the flood's addresses come from
//! `X-Forwarded-For`). `--binary` benchmarks another build, such as one from before a change.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::flood_clients::{self, Observed};
use super::probe::{self, MemoryField};
use crate::local_service::LocalService;
use crate::{cmd, http};

/// How long the flood lasts, and how long the normal client goes on alone after it.
const FLOOD: Duration = Duration::from_secs(20);
const AFTER: Duration = Duration::from_secs(10);
/// Threads that connect, send and hang up.
const FLOODERS: usize = 64;

/// Builds (unless `--binary` names one), starts, floods and reports.
///
/// # Errors
/// Fails when the build fails or the service does not start.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let binary = match args {
        [flag, path] if flag == "--binary" => PathBuf::from(path),
        [] => build()?,
        _ => return Err(cmd::Error::new("usage: cargo xtask bench rest-flood [--binary PATH]")),
    };
    let scratch = std::env::temp_dir().join("xtask-bench-flood");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(&scratch)?;
    let mut service = Service::start(&binary, &scratch)?;
    let report = service.measure();
    service.stop();
    print_report(&binary, &report?);
    Ok(())
}

/// `cargo build --release -p template-rest`; returns the binary.
fn build() -> cmd::Result<PathBuf> {
    let mut command = cmd::cargo();
    command.current_dir(cmd::workspace_root()).args(["build", "--release", "-p", "template-rest"]);
    cmd::run(&mut command)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| cmd::workspace_root().join("target"), PathBuf::from);
    Ok(target.join("release/template-rest"))
}

/// What the run measured.
struct Report {
    load_before: String,
    load_after: String,
    idle_mib: f64,
    peak_mib: f64,
    after_mib: f64,
    flood_sent: u64,
    during: Observed,
    after: Observed,
    jobs: String,
}

/// The running service.
struct Service(LocalService);

impl Service {
    fn start(binary: &Path, scratch: &Path) -> cmd::Result<Self> {
        let database = format!("sqlite://{}?mode=rwc", scratch.join("flood.db").display());
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("DATABASE_URL", database)
            .env("JWT_SECRET", "flood-bench-0123456789-abcdefghijklmnopqrstuvwxyz")
            .env("UPLOAD_DIR", scratch.join("uploads"))
            .env("TRUSTED_PROXY_HOPS", "1")
            .env("RUST_LOG", "error");
        LocalService::start(command).map(Self)
    }

    fn measure(&mut self) -> cmd::Result<Report> {
        let (address, pid) = (self.0.address(), self.0.pid());
        http::wait_for_200(address, "/health/ready", Instant::now(), Duration::from_secs(30))?;
        flood_clients::register_normal_user(address)?;
        std::thread::sleep(Duration::from_secs(1));
        let idle_mib = probe::resident_mib(pid, MemoryField::Current)?;
        let load_before = load_average();
        println!(
            "bench: {FLOODERS} clients send and hang up for {FLOOD:?}; a normal client logs in"
        );
        let (flood_sent, during) = flood_clients::flood(address, FLOODERS, FLOOD);
        let peak_mib = probe::resident_mib(pid, MemoryField::Peak)?;
        println!("bench: the normal client alone for {AFTER:?}");
        let after = flood_clients::normal_logins(address, AFTER);
        let after_mib = probe::resident_mib(pid, MemoryField::Current)?;
        let jobs = flood_clients::hashing_jobs(address);
        Ok(Report {
            load_before,
            load_after: load_average(),
            idle_mib,
            peak_mib,
            after_mib,
            flood_sent,
            during,
            after,
            jobs,
        })
    }

    fn stop(&mut self) {
        self.0.stop();
    }
}

fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn print_report(binary: &Path, report: &Report) {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    println!("\ncommand: cargo xtask bench rest-flood --binary {}", binary.display());
    println!(
        "cores: {cores}; load average before: {}, after: {}",
        report.load_before, report.load_after
    );
    println!("flood: {} requests sent and abandoned in {FLOOD:?}", report.flood_sent);
    println!(
        "\n| normal client | logins | 200 | 503 | other | p50 | max |\n|---|---|---|---|---|---|---|"
    );
    for (phase, observed) in [("during the flood", &report.during), ("right after", &report.after)]
    {
        println!("| {phase} | {} |", observed.row());
    }
    println!("\nhashing jobs (worker_jobs_total): {}", report.jobs);
    println!(
        "resident memory: idle {:.1} MiB, peak {:.1} MiB, after {:.1} MiB",
        report.idle_mib, report.peak_mib, report.after_mib
    );
}
