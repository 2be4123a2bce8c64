//! Repository automation, in the style of rust-analyzer's xtask: a plain Rust binary run with
//! `cargo xtask`, no build scripts or task runners. Dependencies are few and maintained: `syn`
//! (the gates read Rust as written), `toml` with serde (`cargo-generate.toml`, `Cargo.toml`,
//! `.template.toml`). Liquid is a small subset of its own, not the `liquid` crate: see
//! `twins::subset` for the measured reason.
//!
//! Run `cargo xtask --help` for the commands. Each command lives in its own module:
//! `ci` chains the stages, `checks` wraps rustfmt/clippy/rustdoc, `gates` holds the checks no tool
//! does (with [`twins`], [`renders`] and `upgrade::gate` for the templates), `templates` generates
//! every template with the real `cargo generate` and tests the result, `new` generates one
//! service, `readme` renders a template's README with chosen placeholder values, `upgrade`
//! carries a generated project forward.
//!
//! What several commands share has a module of its own: `cmd` (running programs), `workspace`
//! (git's file list, the packages), `finding` (what every check reports), `flags` (options of the form `--name value`), `http` (a blocking
//! client), `local_service` (a service binary started on a free port), `databases` (scratch
//! databases). No module depends on one that depends back on it, except the edges listed with
//! their reason in `xtask/module-cycles-allowed.txt`: the `module-cycles` gate reads the sources
//! and checks that, for xtask as for every crate.
//! `modules` finds the copyable modules (folders with a `MODULE.md`) and serves `add`.

mod actionlint;
mod audit;
mod bench;
mod check_variants;
mod checkout;
mod checks;
mod ci;
mod cmd;
mod coverage;
mod databases;
mod finding;
mod flags;
mod gates;
mod generation;
mod hooks;
mod http;
mod local_service;
mod modules;
mod new;
mod readme;
mod renders;
mod sqlx_prepare;
mod templates;
mod twins;
mod upgrade;
mod workspace;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command> [options]

Commands:
  ci                      every stage below, in order; stops at the first failure
  add <module> --to <path> [--force]
                          copies a template's module (a folder with a MODULE.md) into the
                          cargo package at <path>, adds its dependencies with cargo add and
                          prints the lines that wire it; existing files stay unless --force
  add --list              the modules, one a line: name, then what it does
  modules                 adds every module to a fresh `cargo new` app, wires them, runs
                          clippy -D warnings and their tests in it, starts it, calls it
  fmt [--fix]             rustfmt: check (default) or rewrite
  lint                    clippy on all targets and features, -D warnings
  docs                    rustdoc with -D warnings
  gates                   checks no tool does: file length, markers, commented-out code,
                          module docs, in-place and generated templates in step, every
                          rendered template file rendering with every placeholder value,
                          no import cycle between modules, module folders kept to themselves,
                          the README's table of modules
  test                    cargo test for the workspace (loom included)
  coverage                cargo-llvm-cov line coverage per crate, fails under 85%
  audit                   cargo-deny (advisories, licenses, bans, sources), offline
  actionlint              lints every GitHub workflow
  templates [--only T[,T...]] [--repeat N]
                          generates every template and placeholder value, builds and tests
                          them; --repeat runs each project's test suite N times and counts
                          the runs that passed
  check-variants [--only T]
                          generates every form of the templates and runs clippy in each:
                          the fast check of the code under template-*/variants/
  bench <name>            benchmarks a template (rest, rest-flood, realtime,
                          microservice), the circuit breaker, or every template's clean
                          build (build)
  bench build [--only T[:VALUE]...[,...]] [--profile debug|release] [--against PATH]
              [--rounds N]
                          clean builds, timed, with the ten slowest crates: only the forms
                          named (rest, rest:sqlite, realtime:nats), only one profile, and
                          beside each an earlier generated project, alternately, N times
  new <name> --template <t> [-d key=value]...
                          generates a new service next to this repository
  readme <template> [--<placeholder> <value>]... [--out FILE]
                          a template's README.md rendered as a generated project has it,
                          with the in-place values overridden (realtime --broker nats)
  upgrade --project <path> [--to <rev>] [--base <rev>] [--dry-run] [--force]
                          carries a generated project forward to a newer template revision
                          (three-way merge; see the README, Upgrading)
  sqlx-prepare            regenerates the committed .sqlx query data of every template form
  install-hooks           installs a git pre-commit hook (fmt, lint, gates on staged files,
                          check-variants for the templates they reach)
  pre-commit              what the hook runs
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = checkout::ensure(&args) {
        return code;
    }
    let Some((command, rest)) = args.split_first() else {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    };
    match dispatch(command, rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {command}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: &str, rest: &[String]) -> cmd::Result {
    match command {
        "ci" => ci::run(),
        "add" => modules::add::run(rest),
        "modules" => modules::stage::run(),
        "fmt" => checks::fmt(checks::FmtMode::from_args(rest)),
        "lint" => checks::lint(),
        "docs" => checks::docs(),
        "gates" => gates::run(&cmd::workspace_root()),
        "test" => checks::test(),
        "coverage" => coverage::run(),
        "audit" => audit::run(),
        "actionlint" => actionlint::run(),
        "templates" => templates::run(&templates::Options::from_args(rest)?),
        "check-variants" => check_variants::run(&check_variants::Options::from_args(rest)?),
        "bench" => bench::run(rest),
        "new" => new::run(rest),
        "readme" => readme::run(rest),
        "upgrade" => upgrade::run(rest),
        "sqlx-prepare" => sqlx_prepare::run(),
        "install-hooks" => hooks::install(),
        "pre-commit" => hooks::pre_commit(),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => {
            Err(cmd::Error::new(format!("unknown command `{other}`; see `cargo xtask --help`")))
        }
    }
}
