//! `cargo xtask bench rest`: template-rest, generated with PostgreSQL and built in release
//! mode, loaded by `wrk` from a separate process on this machine.
//!
//! Rate limits are raised for the run (the load generator is one client); every other setting
//! is the production default, argon2id cost included.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::probe::{self, MemoryField, WrkReport};
use crate::cmd;
use crate::sqlx_prepare::postgres_database;
use crate::templates::{Generation, generate};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench password 1234";

/// Everything measured, for the table.
struct Figures {
    build: Duration,
    test_cold: Duration,
    test_warm: Duration,
    ready: Duration,
    idle_mib: f64,
    reads: WrkReport,
    live: WrkReport,
    logins: WrkReport,
    reads_under_logins: WrkReport,
    peak_mib: f64,
}

/// Builds, starts, loads and reports.
///
/// # Errors
/// Fails when a step cannot run (no PostgreSQL, no wrk, a failed build).
pub fn run() -> cmd::Result {
    let scratch = std::env::temp_dir().join("xtask-bench-rest");
    let project = generate(&Generation {
        template: &cmd::workspace_root().join("template-rest"),
        name: "bench-rest",
        defines: &[("database".to_owned(), "postgres".to_owned())],
        destination: &scratch,
    })?;
    let target = scratch.join("target");
    let (build, test_cold, test_warm) = build_times(&project, &target)?;
    let database_url = postgres_database("bench_rest", &[])?;
    let mut service = Service::start(&target.join("release/bench-rest"), &database_url)?;
    let figures = service.measure(build, (test_cold, test_warm));
    service.stop();
    print_table(&figures?);
    Ok(())
}

fn build_times(project: &Path, target: &Path) -> cmd::Result<(Duration, Duration, Duration)> {
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    let cargo = |args: &[&str]| {
        let mut command = Command::new("cargo");
        command.current_dir(project).args(args).env("CARGO_TARGET_DIR", target);
        cmd::timed(|| cmd::run(&mut command))
    };
    println!("bench: clean release build, then cargo test twice (cold, warm)");
    let (release, build) = cargo(&["build", "--release", "--quiet"]);
    release?;
    let (cold, test_cold) = cargo(&["test", "--quiet"]);
    cold?;
    let (warm, test_warm) = cargo(&["test", "--quiet"]);
    warm?;
    Ok((build, test_cold, test_warm))
}

/// The running service.
struct Service {
    child: Child,
    address: SocketAddr,
    started: Instant,
}

impl Service {
    fn start(binary: &PathBuf, database_url: &str) -> cmd::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let started = Instant::now();
        let child = Command::new(binary)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATABASE_URL", database_url)
            .env("JWT_SECRET", "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
            .env("RUST_LOG", "warn")
            .env("RATE_LIMIT_PER_SECOND", "10000000")
            .env("RATE_LIMIT_BURST", "10000000")
            .env("LOGIN_RATE_LIMIT_PER_MINUTE", "100000000")
            .env("LOGIN_RATE_LIMIT_BURST", "10000000")
            .env("LOGIN_FAILURES_BEFORE_DELAY", "10000000")
            .stdout(Stdio::null())
            .spawn()?;
        Ok(Self { child, address: SocketAddr::from(([127, 0, 0, 1], port)), started })
    }

    fn measure(&mut self, build: Duration, tests: (Duration, Duration)) -> cmd::Result<Figures> {
        let ready = probe::wait_for_200(
            self.address,
            "/health/ready",
            self.started,
            Duration::from_secs(30),
        )?;
        std::thread::sleep(Duration::from_secs(1));
        let idle_mib = probe::resident_mib(self.child.id(), MemoryField::Current)?;
        let (id, token) = self.seed()?;
        let base = format!("http://{}", self.address);
        let user_url = format!("{base}/api/v1/users/{id}");
        let auth = format!("Authorization: Bearer {token}");
        println!("bench: reads, probes, then reads during a login flood (10 s each)");
        let by_id = probe::run_wrk(probe::wrk(50, 10, &user_url).args(["-H", &auth]))?;
        let live = probe::run_wrk(&mut probe::wrk(50, 10, &format!("{base}/health/live")))?;
        let (logins, reads_under_logins) = login_flood(&base, &user_url, &auth)?;
        let peak_mib = probe::resident_mib(self.child.id(), MemoryField::Peak)?;
        let (test_cold, test_warm) = tests;
        Ok(Figures {
            build,
            test_cold,
            test_warm,
            ready,
            idle_mib,
            reads: by_id,
            live,
            logins,
            reads_under_logins,
            peak_mib,
        })
    }

    /// Registers the benchmark user and logs in; returns its id and an access token.
    fn seed(&self) -> cmd::Result<(String, String)> {
        let credentials = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
        let registration =
            format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}","name":"Bench"}}"#);
        let registered =
            probe::request(self.address, "POST /api/v1/auth/register HTTP/1.1", &registration)?;
        let id = probe::json_field(&registered.body, "id")?;
        let login = probe::request(self.address, "POST /api/v1/auth/login HTTP/1.1", &credentials)?;
        Ok((id, probe::json_field(&login.body, "access_token")?))
    }

    fn stop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }
}

/// Logins (argon2id at the production cost) from one wrk, reads from another, at once.
fn login_flood(base: &str, user: &str, auth: &str) -> cmd::Result<(WrkReport, WrkReport)> {
    let script = std::env::temp_dir().join("xtask-bench-login.lua");
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    std::fs::write(&script, lua)?;
    let login_url = format!("{base}/api/v1/auth/login");
    let mut flood = probe::wrk(16, 10, &login_url);
    flood.arg("-s").arg(&script).stdout(Stdio::piped());
    let flooding = flood.spawn()?;
    let reads = probe::run_wrk(probe::wrk(10, 10, user).args(["-H", auth]))?;
    let output = flooding.wait_with_output()?;
    Ok((probe::parse_wrk(&String::from_utf8_lossy(&output.stdout))?, reads))
}

fn print_table(figures: &Figures) {
    println!("\n| measure | result | target |\n|---|---|---|");
    for (measure, result, target) in rows(figures) {
        println!("| {measure} | {result} | {target} |");
    }
    let errors = figures.reads.non_2xx + figures.live.non_2xx + figures.reads_under_logins.non_2xx;
    println!("\nnon-2xx responses during the read runs: {errors}");
}

fn throughput(report: &WrkReport) -> String {
    let (rate, p50, p99) = (report.requests_per_second, report.p50_ms, report.p99_ms);
    format!("{rate:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms")
}

type Row = (&'static str, String, &'static str);

fn rows(figures: &Figures) -> Vec<Row> {
    let mut rows = load_rows(figures).to_vec();
    rows.extend(cost_rows(figures));
    rows
}

fn load_rows(figures: &Figures) -> [Row; 4] {
    let logins = format!("{:.0} logins/s", figures.logins.requests_per_second);
    [
        (
            "GET /api/v1/users/{id}, 50 connections",
            throughput(&figures.reads),
            "≥ 15,000 req/s, p99 ≤ 5 ms",
        ),
        ("GET /health/live, 50 connections", throughput(&figures.live), "-"),
        ("logins (argon2id, 16 connections)", logins, "-"),
        (
            "GET /users/{id}, 10 connections, during the flood",
            throughput(&figures.reads_under_logins),
            "p99 ≤ 20 ms",
        ),
    ]
}

fn cost_rows(figures: &Figures) -> [Row; 4] {
    let memory = format!("{:.1} MiB / {:.1} MiB", figures.idle_mib, figures.peak_mib);
    let tests = [figures.test_cold, figures.test_warm].map(cmd::format_duration);
    [
        ("resident memory, idle / peak", memory, "idle ≤ 15 MB"),
        (
            "exec to the first 200 from /health/ready",
            format!("{:.1} ms", figures.ready.as_secs_f64() * 1000.0),
            "≤ 100 ms",
        ),
        ("clean `cargo build --release`", cmd::format_duration(figures.build), "≤ 2 min"),
        (
            "`cargo test`: clean build and run / warm",
            format!("{} / {}", tests[0], tests[1]),
            "≤ 30 s",
        ),
    ]
}
