//! `cargo xtask bench <template>`: each template's benchmark, printed as one table.
//!
//! Every benchmark builds in release mode, starts the service (or library bench), loads it from
//! a separate process, and prints what it measured. Nothing here asserts a time: the figures
//! are reported, and compared with the targets in each template's README.

mod build;
mod flood;
mod flood_clients;
mod microservice;
pub(crate) mod probe;
mod realtime;
mod rest;

use crate::cmd;

const USAGE: &str = "usage: cargo xtask bench <rest [--rounds N] [--seconds S] [--before PATH] [--env KEY=VALUE]|rest-flood [--binary PATH]|realtime [--rounds N] [--seconds S] [--rates R,R...] [--before PATH]|microservice|circuit-breaker|build [--only T[:VALUE]...] [--profile debug|release] [--against PATH] [--rounds N]>";

/// Runs the named benchmark.
///
/// # Errors
/// Fails on an unknown name or when the benchmark cannot run.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    match args.first().map(String::as_str) {
        Some("rest") => rest::run(&args[1..]),
        Some("build") => build::run(&args[1..]),
        Some("rest-flood") => flood::run(&args[1..]),
        Some("realtime") => realtime::run(&args[1..]),
        Some("microservice") => microservice::run(),
        Some("circuit-breaker") => circuit_breaker(),
        Some(other) => Err(cmd::Error::new(format!("no benchmark `{other}` yet\n{USAGE}"))),
        None => Err(cmd::Error::new(USAGE)),
    }
}

/// The circuit breaker's criterion benchmark against failsafe and tower-resilience.
fn circuit_breaker() -> cmd::Result {
    let mut command = cmd::cargo();
    command.current_dir(cmd::workspace_root()).args(["bench", "-p", "circuit-breaker"]);
    cmd::run(&mut command)
}
