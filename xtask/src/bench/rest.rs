//! `cargo xtask bench rest`: template-rest, generated with PostgreSQL and built in release
//! mode, against its floor: `examples/floor.rs`, the same route (the same token check, query,
//! driver and connection options) on bare axum + sqlx, with no middleware. `wrk` loads them
//! from a separate process, one after the other, round after round, so that both see the same
//! machine; the table gives each round, the medians and the ratios.
//!
//! Rate limits are raised for the run (the load generator is one client); every other setting
//! is the production default, argon2id cost included. A run with any answer but a success, or
//! any socket error, is reported as invalid, never as a figure.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::probe::{self, MemoryField, WrkReport};
use crate::databases::postgres_database;
use crate::generation::{Generation, generate};
use crate::{cmd, http};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench password 1234";
const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// Rounds of (service, floor), alternating.
const ROUNDS: usize = 3;
/// Seconds of load per run.
const SECONDS: u32 = 10;
const CONNECTIONS: u32 = 50;

/// Builds, starts, loads and reports.
///
/// # Errors
/// Fails when a step cannot run (no PostgreSQL, no wrk, a failed build).
pub(crate) fn run() -> cmd::Result {
    println!("$ cargo xtask bench rest\n{}", probe::machine());
    let scratch = std::env::temp_dir().join("xtask-bench-rest");
    let project = generate(&Generation {
        template: &cmd::workspace_root().join("template-rest"),
        name: "bench-rest",
        defines: &[("database".to_owned(), "postgres".to_owned())],
        destination: &scratch,
    })?;
    let target = scratch.join("target");
    let mut build = Command::new("cargo");
    build.current_dir(&project).env("CARGO_TARGET_DIR", &target);
    cmd::run(build.args(["build", "--release", "--quiet", "--bins", "--examples"]))?;
    let database_url = postgres_database("bench_rest", &[])?;
    let mut service = Process::start(&target.join("release/bench-rest"), &database_url)?;
    let mut floor = Process::start(&target.join("release/examples/floor"), &database_url)?;
    let figures = measure(&service, &floor);
    service.stop();
    floor.stop();
    print_figures(&figures?);
    Ok(())
}

/// Everything measured, for the tables.
struct Figures {
    ready: Duration,
    idle_mib: f64,
    /// Each round: the service's run, then the floor's.
    rounds: Vec<(WrkReport, WrkReport)>,
    peak_mib: f64,
    floor_peak_mib: f64,
    live: WrkReport,
    logins: WrkReport,
    reads_under_logins: WrkReport,
}

fn measure(service: &Process, floor: &Process) -> cmd::Result<Figures> {
    let limit = Duration::from_secs(30);
    let ready = http::wait_for_200(service.address, "/health/ready", service.started, limit)?;
    std::thread::sleep(Duration::from_secs(1));
    let idle_mib = probe::resident_mib(service.child.id(), MemoryField::Current)?;
    let (id, token) = seed(service.address)?;
    let auth = format!("Authorization: Bearer {token}");
    let path = format!("/api/v1/users/{id}");
    wait_for_floor(floor.address, &path, &auth)?;
    let rounds = alternate(service.address, floor.address, &path, &auth)?;
    let peak_mib = probe::resident_mib(service.child.id(), MemoryField::Peak)?;
    let floor_peak_mib = probe::resident_mib(floor.child.id(), MemoryField::Peak)?;
    println!("bench: probes, then reads during a login flood ({SECONDS} s each)");
    let live = probe::run_wrk(&mut wrk(service.address, "/health/live"))?;
    let user_url = format!("http://{}{path}", service.address);
    let (logins, reads_under_logins) = login_flood(service.address, &user_url, &auth)?;
    Ok(Figures {
        ready,
        idle_mib,
        rounds,
        peak_mib,
        floor_peak_mib,
        live,
        logins,
        reads_under_logins,
    })
}

/// [`ROUNDS`] rounds: the service, then the floor, under the same load.
fn alternate(
    service: SocketAddr,
    floor: SocketAddr,
    path: &str,
    auth: &str,
) -> cmd::Result<Vec<(WrkReport, WrkReport)>> {
    println!("bench: {ROUNDS} rounds of {SECONDS} s each on the service, then on the floor");
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let service_run = probe::run_wrk(wrk(service, path).args(["-H", auth]))?;
        let floor_run = probe::run_wrk(wrk(floor, path).args(["-H", auth]))?;
        rounds.push((service_run, floor_run));
    }
    Ok(rounds)
}

fn wrk(address: SocketAddr, path: &str) -> Command {
    probe::wrk(CONNECTIONS, SECONDS, &format!("http://{address}{path}"))
}

/// A started process: the service or its floor, configured alike.
struct Process {
    child: Child,
    address: SocketAddr,
    started: Instant,
}

impl Process {
    fn start(binary: &Path, database_url: &str) -> cmd::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let started = Instant::now();
        let child = Command::new(binary)
            .envs([("HOST", "127.0.0.1"), ("PORT", &port.to_string()), ("RUST_LOG", "warn")])
            .envs([("DATABASE_URL", database_url), ("JWT_SECRET", SECRET)])
            .envs([("JWT_ISSUER", "bench"), ("JWT_AUDIENCE", "bench")])
            .envs(http::REST_LIMITS_RAISED)
            .stdout(Stdio::null())
            .spawn()?;
        Ok(Self { child, address: SocketAddr::from(([127, 0, 0, 1], port)), started })
    }

    fn stop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }
}

/// Registers the benchmark user and logs in; returns its id and an access token.
fn seed(address: SocketAddr) -> cmd::Result<(String, String)> {
    let credentials = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let registration = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}","name":"Bench"}}"#);
    let registered = http::request(address, "POST /api/v1/auth/register HTTP/1.1", &registration)?;
    let id = http::json_field(&registered.body, "id")?;
    let login = http::request(address, "POST /api/v1/auth/login HTTP/1.1", &credentials)?;
    Ok((id, http::json_field(&login.body, "access_token")?))
}

/// Waits until the floor answers the benchmark's request with 200.
fn wait_for_floor(address: SocketAddr, path: &str, auth: &str) -> cmd::Result {
    let head = format!("GET {path} HTTP/1.1\r\n{auth}");
    for _ in 0..300 {
        if http::request(address, &head, "").is_ok_and(|response| response.status == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(cmd::Error::new(format!("the floor never answered 200 on {path}")))
}

/// Logins (argon2id at the production cost) from one wrk, reads from another, at once.
fn login_flood(address: SocketAddr, user: &str, auth: &str) -> cmd::Result<(WrkReport, WrkReport)> {
    let script = std::env::temp_dir().join("xtask-bench-login.lua");
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    std::fs::write(&script, lua)?;
    let mut flood = probe::wrk(16, SECONDS, &format!("http://{address}/api/v1/auth/login"));
    flood.arg("-s").arg(&script).stdout(Stdio::piped());
    let flooding = flood.spawn()?;
    let reads = probe::run_wrk(probe::wrk(10, SECONDS, user).args(["-H", auth]))?;
    let output = flooding.wait_with_output()?;
    Ok((probe::parse_wrk(&String::from_utf8_lossy(&output.stdout))?, reads))
}

fn print_figures(figures: &Figures) {
    println!("\nGET /api/v1/users/{{id}}, {CONNECTIONS} connections, {SECONDS} s per run");
    println!("| round | service | floor | service / floor |\n|---|---|---|---|");
    for (round, (service, floor)) in figures.rounds.iter().enumerate() {
        let (service_run, floor_run) = (service.summary(), floor.summary());
        println!("| {} | {service_run} | {floor_run} | {} |", round + 1, ratio(service, floor));
    }
    let (service, floor) = medians(&figures.rounds);
    let (service_run, floor_run) = (service.summary(), floor.summary());
    println!("| median | {service_run} | {floor_run} | {} |", ratio(&service, &floor));
    println!("target: service ≥ 85% of the floor's req/s, p99 ≤ 1.25× the floor's");
    println!("\n| measure | result | target |\n|---|---|---|");
    for (measure, result, target) in other_rows(figures) {
        println!("| {measure} | {result} | {target} |");
    }
}

fn other_rows(figures: &Figures) -> [(&'static str, String, &'static str); 6] {
    let memory = format!("{:.1} MiB (floor {:.1} MiB)", figures.peak_mib, figures.floor_peak_mib);
    let ready = format!("{:.1} ms", figures.ready.as_secs_f64() * 1000.0);
    let logins = format!("{:.0} logins/s", figures.logins.requests_per_second);
    [
        ("peak resident memory under load", memory, "≤ 40 MB"),
        ("resident memory, idle", format!("{:.1} MiB", figures.idle_mib), "≤ 15 MB"),
        ("exec to the first 200 from /health/ready", ready, "≤ 100 ms"),
        ("GET /health/live, 50 connections", figures.live.summary(), "-"),
        ("logins (argon2id, 16 connections)", logins, "-"),
        (
            "GET /users/{id}, 10 connections, during the flood",
            figures.reads_under_logins.summary(),
            "p99 ≤ 20 ms",
        ),
    ]
}

/// The service's req/s as a share of the floor's, and its p99 as a multiple of the floor's.
fn ratio(service: &WrkReport, floor: &WrkReport) -> String {
    if service.invalid_because().is_some() || floor.invalid_because().is_some() {
        return "no ratio: a run is invalid".to_owned();
    }
    let share = service.requests_per_second / floor.requests_per_second * 100.0;
    format!("{share:.0}% of req/s, p99 × {:.2}", service.p99_ms / floor.p99_ms)
}

/// The median run of each side, by req/s; an invalid run anywhere makes its side invalid.
fn medians(rounds: &[(WrkReport, WrkReport)]) -> (WrkReport, WrkReport) {
    let median = |side: fn(&(WrkReport, WrkReport)) -> WrkReport| {
        let mut runs: Vec<WrkReport> = rounds.iter().map(side).collect();
        runs.sort_by(|a, b| a.requests_per_second.total_cmp(&b.requests_per_second));
        let mut middle = runs[runs.len() / 2];
        middle.non_2xx = runs.iter().map(|run| run.non_2xx).sum();
        middle.socket_errors = runs.iter().map(|run| run.socket_errors).sum();
        middle
    };
    (median(|round| round.0), median(|round| round.1))
}
