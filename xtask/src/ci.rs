//! `cargo xtask ci`: every stage in order, stopping at the first failure, with one line per stage
//! and a summary table.
//!
//! The order puts the cheap stages first, so that a mistake fails in seconds. The test suite runs
//! once, instrumented, in `test+coverage` (doctests included); `loom` runs the circuit breaker's
//! models apart, because they need `--cfg loom` and a release build.

use std::fmt;
use std::time::Duration;

use crate::{actionlint, audit, checks, cmd, coverage, gates, modules, templates};

/// One step of the pipeline.
struct Stage {
    name: &'static str,
    run: fn() -> cmd::Result,
}

const STAGES: [Stage; 11] = [
    Stage { name: "setup", run: setup },
    Stage { name: "fmt", run: || checks::fmt(checks::FmtMode::Check) },
    Stage { name: "gates", run: || gates::run(&cmd::workspace_root()) },
    Stage { name: "lint", run: checks::lint },
    Stage { name: "docs", run: checks::docs },
    Stage { name: "test+coverage", run: coverage::run },
    Stage { name: "loom", run: checks::loom },
    Stage { name: "audit", run: audit::run },
    Stage { name: "actionlint", run: actionlint::run },
    Stage { name: "modules", run: modules::stage::run },
    Stage { name: "templates", run: || templates::run(&templates::Options::from_args(&[])?) },
];

/// Installs what is missing and starts the services that are down (`.ci/setup`), so that
/// `cargo xtask ci` works on a fresh machine; on a prepared one it takes a second.
fn setup() -> cmd::Result {
    cmd::run(std::process::Command::new("bash").arg(cmd::workspace_root().join(".ci/setup")))
}

/// What became of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Passed,
    Failed,
    NotRun,
}

impl fmt::Display for Status {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self {
            Self::Passed => "passed",
            Self::Failed => "FAILED",
            Self::NotRun => "not run",
        };
        formatter.pad(word)
    }
}

/// Runs the stages in order and prints the summary; fails with the first failing stage.
pub(crate) fn run() -> cmd::Result {
    let mut rows = Vec::new();
    let mut failure = None;
    for (index, stage) in STAGES.iter().enumerate() {
        if failure.is_some() {
            rows.push((stage.name, Status::NotRun, Duration::ZERO));
            continue;
        }
        let counter = format!("ci: [{}/{}] {}", index + 1, STAGES.len(), stage.name);
        eprintln!("{counter} ...");
        let (result, took) = cmd::timed(stage.run);
        let status = if result.is_ok() { Status::Passed } else { Status::Failed };
        eprintln!("{counter} {status} in {}", cmd::format_duration(took));
        failure = result.err().map(|error| format!("stage `{}` failed: {error}", stage.name));
        rows.push((stage.name, status, took));
    }
    print!("{}", summary(&rows));
    failure.map_or(Ok(()), |message| Err(cmd::Error::new(message)))
}

/// The summary table: stage, status and time, then the total.
fn summary(rows: &[(&str, Status, Duration)]) -> String {
    let line = |name: &str, status: &str, time: &str| format!("{name:<14} {status:<8} {time:>8}\n");
    let stages = rows.iter().map(|(name, status, took)| {
        let time = match status {
            Status::NotRun => "-".to_owned(),
            Status::Passed | Status::Failed => cmd::format_duration(*took),
        };
        line(name, &status.to_string(), &time)
    });
    let total: Duration = rows.iter().map(|(_, _, took)| *took).sum();
    let (header, footer) =
        (line("stage", "status", "time"), line("total", "", &cmd::format_duration(total)));
    format!("\n{header}{}{footer}", stages.collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_run_cheapest_first_and_templates_last() {
        let names: Vec<&str> = STAGES.iter().map(|stage| stage.name).collect();
        assert_eq!(
            names[..2],
            ["setup", "fmt"],
            "tools and services first, then the cheapest check"
        );
        assert_eq!(names[names.len() - 2..], ["modules", "templates"], "modules before templates");
        let coverage = names.iter().position(|name| *name == "test+coverage");
        assert!(coverage < names.iter().position(|name| *name == "modules"));
        assert!(!names.contains(&"test"), "coverage already runs the tests");
        assert!(names.contains(&"test+coverage"));
    }

    #[test]
    fn summary_lists_every_stage_and_the_total() {
        let rows = [
            ("fmt", Status::Passed, Duration::from_millis(1_500)),
            ("lint", Status::Failed, Duration::from_secs(61)),
            ("docs", Status::NotRun, Duration::ZERO),
        ];
        let table = summary(&rows);
        assert!(table.contains("fmt            passed       1.5s"), "{table}");
        assert!(table.contains("lint           FAILED      1m01s"), "{table}");
        assert!(table.contains("docs           not run         -"), "{table}");
        assert!(table.contains("total                      1m02s"), "{table}");
    }
}
