//! `cargo xtask bench microservice`: template-microservice built in release mode; its `bench`
//! example starts PostgreSQL's database, a NATS server, an inventory stub and the service as a
//! separate process, then measures orders per second end to end, the outbox relay's
//! throughput and commit-to-publish lag, and the consumer's throughput, and prints the table.

use std::process::Command;

use crate::cmd;

/// Builds the service and its benchmark, then runs the benchmark.
///
/// # Errors
/// Fails when the build fails, or when PostgreSQL or `nats-server` is missing.
pub(crate) fn run() -> cmd::Result {
    println!("$ cargo xtask bench microservice\n{}", super::probe::machine());
    let root = cmd::workspace_root();
    let mut build = cmd::cargo();
    build.current_dir(&root).args([
        "build",
        "--release",
        "--package",
        "template-microservice",
        "--bins",
        "--examples",
    ]);
    cmd::run(&mut build)?;
    let example = crate::checks::target_dir().join("release/examples/bench");
    cmd::run(Command::new(example).current_dir(root.join("template-microservice")))
}
