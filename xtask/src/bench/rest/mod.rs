//! `cargo xtask bench rest [--rounds N] [--seconds S] [--before PATH] [--env KEY=VALUE]…`:
//! template-rest, generated with PostgreSQL and built in release mode, against its floor:
//! `examples/floor.rs`, the same route (the same token check, query, driver and connection
//! options) on bare axum + sqlx, with no middleware. `wrk` loads them from a separate process,
//! one after the other, round after round, so that every side sees the same machine; the table
//! gives each round, the medians and the ratios.
//!
//! `--before PATH` adds a third side: another build of the generated service (a copy of
//! `<TMPDIR>/xtask-bench-rest/target/release/bench-rest` from before a change), started and
//! loaded the same way, so that a change is measured before and after in the same run.
//! `--env KEY=VALUE` sets a variable for the service under test only (a pool size, say).
//!
//! Rate limits are raised for the run (the load generator is one client); every other setting
//! is the production default, argon2id cost included. A run with any answer but a success, or
//! any socket error, is reported as invalid, never as a figure.

mod options;
mod report;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use self::options::Options;
use self::report::{Figures, Side};
use super::probe::{self, MemoryField, WrkReport};
use crate::databases::postgres_database;
use crate::generation::{Generation, generate};
use crate::local_service::LocalService;
use crate::{cmd, http};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench password 1234";
const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const CONNECTIONS: u32 = 50;

/// Builds, starts, loads and reports.
///
/// # Errors
/// Fails on unknown options, or when a step cannot run (no PostgreSQL, no wrk, a failed build).
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let options = Options::parse(args)?;
    println!("$ cargo xtask bench rest {}\n{}", args.join(" "), probe::machine());
    let target = build()?;
    let database_url = postgres_database("bench_rest", &[])?;
    let service_binary = target.join("release/bench-rest");
    let mut sides = vec![Process::start("service", &service_binary, &database_url, &options.env)?];
    if let Some(before) = &options.before {
        sides.push(Process::start("before", before, &database_url, &[])?);
    }
    sides.push(Process::start(
        "floor",
        &target.join("release/examples/floor"),
        &database_url,
        &[],
    )?);
    let figures = measure(&sides, &options);
    for side in &mut sides {
        side.stop();
    }
    report::print(&figures?, &options);
    Ok(())
}

/// Generates the PostgreSQL form and builds it in release mode; returns its target directory.
fn build() -> cmd::Result<PathBuf> {
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
    Ok(target)
}

fn measure(sides: &[Process], options: &Options) -> cmd::Result<Figures> {
    let service = &sides[0];
    let limit = Duration::from_secs(30);
    let ready = http::wait_for_200(service.address, "/health/ready", service.started, limit)?;
    std::thread::sleep(Duration::from_secs(1));
    let idle_mib = probe::resident_mib(service.pid(), MemoryField::Current)?;
    let (id, token) = seed(service.address)?;
    let seeded_mib = probe::resident_mib(service.pid(), MemoryField::Current)?;
    let auth = format!("Authorization: Bearer {token}");
    let path = format!("/api/v1/users/{id}");
    for side in &sides[1..] {
        wait_for_200(side.address, &path, &auth)?;
    }
    let rounds = alternate(sides, &path, &auth, options)?;
    let named = by_side(sides, &rounds)?;
    let seconds = options.seconds;
    println!("bench: probes, then reads during a login flood ({seconds} s each)");
    let live = probe::run_wrk(&mut wrk(service.address, "/health/live", seconds))?;
    let user_url = format!("http://{}{path}", service.address);
    let (logins, reads_under_logins) = login_flood(service.address, &user_url, &auth, seconds)?;
    let flood_peak_mib = probe::resident_mib(service.pid(), MemoryField::Peak)?;
    Ok(Figures {
        ready,
        idle_mib,
        seeded_mib,
        sides: named,
        flood_peak_mib,
        live,
        logins,
        reads_under_logins,
    })
}

/// Each side's runs and its peak resident memory.
fn by_side(sides: &[Process], rounds: &[Vec<WrkReport>]) -> cmd::Result<Vec<Side>> {
    let mut named = Vec::new();
    for (index, side) in sides.iter().enumerate() {
        let peak_mib = probe::resident_mib(side.pid(), MemoryField::Peak)?;
        let runs = rounds.iter().map(|round| round[index]).collect();
        named.push(Side { name: side.name, runs, peak_mib });
    }
    Ok(named)
}

/// Rounds of every side in turn, under the same load.
fn alternate(
    sides: &[Process],
    path: &str,
    auth: &str,
    options: &Options,
) -> cmd::Result<Vec<Vec<WrkReport>>> {
    let (count, seconds) = (options.rounds, options.seconds);
    println!("bench: {count} rounds of {seconds} s on each side in turn");
    let mut rounds = Vec::new();
    for _ in 0..count {
        let mut round = Vec::new();
        for side in sides {
            round.push(probe::run_wrk(wrk(side.address, path, seconds).args(["-H", auth]))?);
        }
        rounds.push(round);
    }
    Ok(rounds)
}

fn wrk(address: SocketAddr, path: &str, seconds: u32) -> Command {
    probe::wrk(CONNECTIONS, seconds, &format!("http://{address}{path}"))
}

/// A started process: the service, an earlier build of it, or its floor, configured alike.
struct Process {
    name: &'static str,
    service: LocalService,
    address: SocketAddr,
    started: Instant,
}

impl Process {
    fn start(
        name: &'static str,
        binary: &Path,
        database_url: &str,
        env: &[(String, String)],
    ) -> cmd::Result<Self> {
        let started = Instant::now();
        let mut command = Command::new(binary);
        command
            .env("RUST_LOG", "warn")
            .envs([("DATABASE_URL", database_url), ("JWT_SECRET", SECRET)])
            .envs([("JWT_ISSUER", "bench"), ("JWT_AUDIENCE", "bench")])
            .envs(http::REST_LIMITS_RAISED)
            .envs(env.iter().map(|(key, value)| (key, value)));
        let service = LocalService::start(command)?;
        Ok(Self { name, address: service.address(), service, started })
    }

    fn pid(&self) -> u32 {
        self.service.pid()
    }

    fn stop(&mut self) {
        self.service.stop();
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

/// Waits until another side answers the benchmark's request with 200.
fn wait_for_200(address: SocketAddr, path: &str, auth: &str) -> cmd::Result {
    let head = format!("GET {path} HTTP/1.1\r\n{auth}");
    for _ in 0..300 {
        if http::request(address, &head, "").is_ok_and(|response| response.status == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(cmd::Error::new(format!("{address} never answered 200 on {path}")))
}

/// Logins (argon2id at the production cost) from one wrk, reads from another, at once.
fn login_flood(
    address: SocketAddr,
    user: &str,
    auth: &str,
    seconds: u32,
) -> cmd::Result<(WrkReport, WrkReport)> {
    let script = std::env::temp_dir().join("xtask-bench-login.lua");
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    std::fs::write(&script, lua)?;
    let mut flood = probe::wrk(16, seconds, &format!("http://{address}/api/v1/auth/login"));
    flood.arg("-s").arg(&script).stdout(Stdio::piped());
    let flooding = flood.spawn()?;
    let reads = probe::run_wrk(probe::wrk(10, seconds, user).args(["-H", auth]))?;
    let output = flooding.wait_with_output()?;
    Ok((probe::parse_wrk(&String::from_utf8_lossy(&output.stdout))?, reads))
}
