//! `cargo xtask bench build [--only T[:VALUE]...] [--profile debug|release] [--against PATH]
//! [--rounds N]`: what a newcomer waits for. Every template is generated in every placeholder
//! form (or the forms `--only` names: `rest:sqlite`, `realtime`); each project gets a clean debug
//! build and a clean release build (or the one `--profile` names) with `--timings`, in its own
//! empty target directory each time, so nothing is shared; the table gives the wall time and the
//! ten crates that took longest to compile, with the machine's load beside each figure, and the
//! CPU time (user + system) the build used, which moves far less with the load than the wall.
//!
//! `--against PATH` adds an earlier generated project (a copy kept from before a change): it is
//! built from clean alternately with each form, `--rounds` times each, so that before and after
//! see the same machine at the same time.
//!
//! The crates' times come from the `UNIT_DATA` table that cargo writes into
//! `cargo-timings/cargo-timing.html`: one flat JSON object per unit, of which only `name` and
//! `duration` are read, so a few lines of scanning do instead of a JSON parser in xtask.

mod options;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use self::options::{Options, Profile};
use super::probe;
use crate::cmd;
use crate::generation::{Generation, generate, templates};

/// A clean build of one project in one profile.
struct Build {
    wall: Duration,
    /// CPU seconds (user + system) of cargo and the compilers it ran.
    cpu: Option<f64>,
    /// Seconds spent compiling each crate (all its units), slowest first.
    slowest: Vec<(String, f64)>,
}

/// Generates the forms asked for, builds each from nothing, prints the tables.
///
/// # Errors
/// Fails on unknown options, or when a project does not generate or build.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let options = Options::parse(args)?;
    println!("$ cargo xtask bench build {}\n{}", args.join(" "), probe::machine());
    let root = cmd::workspace_root();
    let scratch = std::env::temp_dir().join("xtask-bench-build");
    for template in templates(&root)? {
        for defines in template.combinations() {
            let values: Vec<&str> = defines.iter().map(|(_, value)| value.as_str()).collect();
            if !options.wants(template.short_name(), &values) {
                continue;
            }
            let name = format!("build-{}-{}", template.short_name(), values.join("-"));
            let generation = Generation {
                template: &root.join(&template.dir),
                name: name.trim_end_matches('-'),
                defines: &defines,
                destination: &scratch,
            };
            let project = generate(&generation)?;
            println!("\n{}: {}", generation.name, project.display());
            measure(&project, &options)?;
        }
    }
    println!("\ntargets (template-rest, sqlite): debug ≤ 2 min, release ≤ 3 min");
    Ok(())
}

/// Each profile, `rounds` times, the earlier project (if any) first in each round.
fn measure(project: &Path, options: &Options) -> cmd::Result {
    for &profile in &options.profiles {
        for _ in 0..options.rounds {
            if let Some(against) = &options.against {
                print_build("against", profile, &clean_build(against, profile)?);
            }
            print_build("this", profile, &clean_build(project, profile)?);
        }
    }
    Ok(())
}

fn clean_build(project: &Path, profile: Profile) -> cmd::Result<Build> {
    let target = project.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    let mut command = Command::new("cargo");
    command.current_dir(project).env("CARGO_TARGET_DIR", &target);
    command.args(["build", "--quiet", "--timings"]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    command.env_remove("RUSTFLAGS");
    let cpu_before = probe::children_cpu_seconds();
    let (built, wall) = cmd::timed(|| cmd::run(&mut command));
    built?;
    let cpu = probe::children_cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let report = std::fs::read_to_string(target.join("cargo-timings/cargo-timing.html"))?;
    Ok(Build { wall, cpu, slowest: slowest_crates(&report, 10) })
}

fn print_build(side: &str, profile: Profile, build: &Build) {
    let (profile, wall) = (profile.name(), cmd::format_duration(build.wall));
    let cpu = build.cpu.map_or_else(|| "?".to_owned(), |seconds| format!("{seconds:.0} s"));
    println!("  {side}, clean {profile} build: {wall}, CPU {cpu}  ({})", probe::machine());
    let crates: Vec<String> =
        build.slowest.iter().map(|(name, seconds)| format!("{name} {seconds:.1} s")).collect();
    println!("    slowest crates: {}", crates.join(", "));
}

/// The `count` crates with the most compile time in a cargo timing report, slowest first.
fn slowest_crates(report: &str, count: usize) -> Vec<(String, f64)> {
    let mut totals: Vec<(String, f64)> = Vec::new();
    let Some(start) = report.find("UNIT_DATA = [") else { return totals };
    let table = &report[start..];
    let table = &table[..table.find("];").unwrap_or(table.len())];
    for unit in table.split("\"i\":").skip(1) {
        let (Some(name), Some(duration)) = (field(unit, "name"), field(unit, "duration")) else {
            continue;
        };
        let seconds: f64 = duration.parse().unwrap_or(0.0);
        match totals.iter_mut().find(|(known, _)| *known == name) {
            Some((_, total)) => *total += seconds,
            None => totals.push((name.to_owned(), seconds)),
        }
    }
    totals.sort_by(|a, b| b.1.total_cmp(&a.1));
    totals.truncate(count);
    totals
}

/// The value of `"key":` in one flat JSON object, without its quotes; compact or
/// pretty-printed (cargo 1.95 writes one field a line).
fn field<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let marker = format!("\"{key}\":");
    let value = object[object.find(&marker)? + marker.len()..].trim_start();
    let value = value.strip_prefix('"').map_or(value, |quoted| quoted);
    value.split(['"', ',', '}', '\n']).next().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<script>
const UNIT_DATA = [
{"i":0,"name":"serde","version":"1.0.0","mode":"run-custom-build","target":" build script (run)","start":0.10,"duration":0.50,"rmeta_time":null},
{"i":1,"name":"tokio","version":"1.0.0","mode":"todo","target":"","start":0.2,"duration":7.25,"rmeta_time":3.1},
{"i":2,"name":"serde","version":"1.0.0","mode":"todo","target":"","start":0.6,"duration":2.0,"rmeta_time":1.0}
];
const CONCURRENCY_DATA = [];
</script>"#;

    /// What cargo 1.95 writes: the same table, one field a line.
    const PRETTY_REPORT: &str = r#"const UNIT_DATA = [
  {
    "i": 250,
    "name": "proc-macro2",
    "mode": "todo",
    "target": " build-script",
    "features": [
      "default"
    ],
    "start": 0.59,
    "duration": 0.42,
    "sections": null
  },
  {
    "i": 251,
    "name": "tokio",
    "duration": 7.25
  },
  {
    "i": 252,
    "name": "proc-macro2",
    "duration": 1.5
  }
];
const CONCURRENCY_DATA = [];"#;

    #[test]
    fn pretty_printed_reports_are_read_too() {
        let slowest = slowest_crates(PRETTY_REPORT, 10);
        assert_eq!(slowest, [("tokio".to_owned(), 7.25), ("proc-macro2".to_owned(), 1.92)]);
    }

    #[test]
    fn crates_are_ranked_by_their_units_total() {
        let slowest = slowest_crates(REPORT, 10);
        assert_eq!(slowest, [("tokio".to_owned(), 7.25), ("serde".to_owned(), 2.5)]);
        assert_eq!(slowest_crates(REPORT, 1).len(), 1);
        assert!(slowest_crates("no report", 10).is_empty());
    }
}
