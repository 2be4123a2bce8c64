//! `cargo xtask bench realtime`: template-realtime (in place: the in-process broker), built in
//! release mode, loaded by the template's own load generator (`examples/loadgen`) from a
//! separate process on this machine.
//!
//! The load generator opens 10,000 authenticated `WebSocket`s from four loopback addresses and
//! reports the node's resident memory per idle connection; then all of them join one room and a
//! publisher sends to it at rising rates, reporting deliveries per second and delivery latency.
//! Both processes get the highest file limit the shell allows. The message rate limit is raised
//! for the one publisher and heartbeats are slowed so that pings do not count as traffic; every
//! other setting is the production default, the outbound queue included.
//!
//! `cargo xtask bench realtime [--rounds N] [--seconds S] [--rates R,R...] [--before PATH]`:
//! `--before PATH` is another release build of the node (a copy of
//! `target/release/template-realtime` from before a change). It and the current build are
//! started and loaded alternately, `--rounds` times each, by the same load generator, so that a
//! change is measured before and after on the same machine in the same run.

mod options;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use self::options::Options;
use super::probe;
use crate::local_service::LocalService;
use crate::{checks, cmd};

const PACKAGE: &str = "template-realtime";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const CONNECTIONS: &str = "10000";

/// Builds, then starts, loads and reports each side in turn.
///
/// # Errors
/// On bad options, when the build fails, or when a node does not start.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let options = Options::parse(args)?;
    println!("$ cargo xtask bench realtime {}\n{}", args.join(" "), probe::machine());
    let mut build = cmd::cargo();
    build.current_dir(cmd::workspace_root()).args(["build", "--release", "-p", PACKAGE]);
    cmd::run(build.args(["--bin", PACKAGE, "--example", "loadgen"]))?;
    let mut sides = vec![("now", release(PACKAGE))];
    if let Some(before) = &options.before {
        if !before.is_file() {
            return Err(cmd::Error::new(format!("--before {}: no such file", before.display())));
        }
        sides.insert(0, ("before", before.clone()));
    }
    for round in 1..=options.rounds {
        for (side, program) in &sides {
            println!("\n{side}, round {round} of {}: {}", options.rounds, program.display());
            let node = LocalService::start_ready(node_command(program), READY_TIMEOUT)?;
            load(node.address(), node.pid(), &options)?;
        }
    }
    Ok(())
}

fn release(name: &str) -> PathBuf {
    checks::target_dir().join("release").join(name)
}

/// `program`, started by a shell that first raises the file limit as far as it may.
fn with_raised_file_limit(program: &Path) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", "ulimit -n \"$(ulimit -Hn)\" && exec \"$0\" \"$@\""]).arg(program);
    command
}

/// The node `program`, with limits raised for one publisher and 10,000 idle connections.
fn node_command(program: &Path) -> Command {
    let mut node = with_raised_file_limit(program);
    node.env("JWT_SECRET", SECRET);
    node.envs([("JWT_ISSUER", "bench"), ("JWT_AUDIENCE", "bench"), ("RUST_LOG", "warn")]);
    node.envs([("MAX_CONNECTIONS", "20000"), ("MESSAGE_RATE_PER_SECOND", "100000")]);
    node.envs([("MESSAGE_RATE_BURST", "100000"), ("HEARTBEAT_INTERVAL_MS", "600000")]);
    node.env("HEARTBEAT_TIMEOUT_MS", "1200000");
    node.envs([("USER_PUBLISH_RATE_PER_SECOND", "100000"), ("USER_PUBLISH_BURST", "100000")]);
    eprintln!("$ {}", program.display());
    node
}

fn load(address: SocketAddr, pid: u32, options: &Options) -> cmd::Result {
    println!("template-realtime: {CONNECTIONS} WebSockets, in-process broker, release build");
    let mut loadgen = with_raised_file_limit(&release("examples/loadgen"));
    loadgen.args(["--address", &address.to_string(), "--server-pid", &pid.to_string()]);
    loadgen.args(["--connections", CONNECTIONS, "--sources", "4", "--rates", &options.rates]);
    loadgen.args(["--secret", SECRET, "--issuer", "bench", "--audience", "bench"]);
    loadgen.args(["--seconds", &options.seconds.to_string()]);
    cmd::run(&mut loadgen)
}
