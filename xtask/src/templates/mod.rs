//! `cargo xtask templates`: generates every template, with every value of each placeholder,
//! using the real `cargo generate`, then checks each generated project's deployment files
//! offline (hadolint, the Compose schema, Kubernetes schemas) and builds, lints and tests it.
//!
//! Projects go to a temporary directory outside the workspace, and share one target directory
//! (`<target>/generated`), so that dependencies build once for all of them. Then [`upgrades`]
//! upgrades a project of each template from the previous release to `HEAD`, and builds it. A
//! template with an HTTP API (template-rest) gets one more step, `api`: schemathesis against the
//! built service. With template-rest and template-realtime both selected, [`tokens`] runs the
//! two built services together: rest issues `EdDSA` tokens, realtime verifies them through rest's
//! key set.

mod api;
mod options;
mod tokens;
mod upgrades;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::generation::{
    self, CARGO_GENERATE_VERSION, Generation, Step, Template, cargo_generate_version, check_traces,
    generate, templates,
};
use crate::{checks, cmd};

pub use options::Options;

/// The outcome of one generated project.
struct Row {
    label: String,
    steps: Vec<(Step, Duration)>,
    /// Test-suite runs that passed, and runs made.
    runs: (u32, u32),
    api: Option<Duration>,
    failure: Option<String>,
}

/// Generates and checks every selected template combination, then prints a summary table.
///
/// # Errors
/// Fails when any combination fails, after trying all of them.
pub fn run(options: &Options) -> cmd::Result {
    ensure_cargo_generate()?;
    generation::print_tool_versions()?;
    let root = cmd::workspace_root();
    let destination = std::env::temp_dir().join("xtask-templates");
    let target_dir = checks::target_dir().join("generated");
    let jobs = jobs(&root, options)?;
    let mut rows = Vec::new();
    for (index, (template, defines)) in jobs.iter().enumerate() {
        let label = label(template, defines);
        println!("[{}/{}] {label}", index + 1, jobs.len());
        let generation = Generation {
            template: &root.join(&template.dir),
            name: &project_name(template, defines),
            defines,
            destination: &destination,
        };
        rows.push(check_one(&generation, &target_dir, label, options.repeat));
    }
    rows.extend(tokens::row(&jobs, &rows, &target_dir));
    rows.extend(upgrade_rows(&root, options, &target_dir)?);
    print_summary(&rows);
    let failed = rows.iter().filter(|row| row.failure.is_some()).count();
    if failed > 0 {
        return Err(cmd::Error::new(format!(
            "{failed} of {} generated projects failed",
            rows.len()
        )));
    }
    Ok(())
}

/// The upgrade rehearsal of every selected template, and the end-to-end upgrade test when
/// template-rest is selected.
fn upgrade_rows(root: &Path, options: &Options, target_dir: &Path) -> cmd::Result<Vec<Row>> {
    let selected: Vec<_> = templates(root)?.into_iter().filter(|t| options.selects(t)).collect();
    let mut rows: Vec<Row> = selected
        .iter()
        .map(|template| upgrades::rehearsal_row(root, template, target_dir))
        .collect();
    if selected.iter().any(|template| template.dir == "template-rest") {
        rows.push(upgrades::end_to_end_row(root));
    }
    Ok(rows)
}

/// A template and one combination of its placeholder values.
type Job = (Template, Vec<(String, String)>);

fn jobs(root: &Path, options: &Options) -> cmd::Result<Vec<Job>> {
    let selected: Vec<_> = templates(root)?.into_iter().filter(|t| options.selects(t)).collect();
    if selected.is_empty() {
        return Err(cmd::Error::new(format!("no template matches {:?}", options.only)));
    }
    let jobs = selected.into_iter().flat_map(|template| {
        template.combinations().into_iter().map(move |defines| (template.clone(), defines))
    });
    Ok(jobs.collect())
}

fn check_one(generation: &Generation<'_>, target_dir: &Path, label: String, repeat: u32) -> Row {
    let mut row = Row { label, steps: Vec::new(), runs: (0, 0), api: None, failure: None };
    let (generated, elapsed) = cmd::timed(|| {
        let project = generate(generation)?;
        let dir = generation.template.file_name().unwrap_or_default().to_string_lossy();
        check_traces(&project, &dir).map(|()| project)
    });
    println!("    generate {}", outcome(generated.as_ref().err(), elapsed));
    let project: PathBuf = match generated {
        Ok(project) => project,
        Err(error) => {
            row.failure = Some(format!("generate: {error}"));
            return row;
        }
    };
    for step in Step::ALL {
        let result = if step == Step::Test {
            run_tests(&mut row, &project, target_dir, repeat)
        } else {
            run_step(&mut row, step, &project, target_dir)
        };
        if let Err(error) = result {
            row.failure = Some(format!("{}: {error}", step.name()));
            return row;
        }
    }
    if api::applies(generation.template) {
        check_api(generation, &project, target_dir, &mut row);
    }
    row
}

/// The `api` step: schemathesis against the service just built.
fn check_api(generation: &Generation<'_>, project: &Path, target_dir: &Path, row: &mut Row) {
    let (result, elapsed) = cmd::timed(|| api::run(project, target_dir, generation.defines));
    println!("    api {}", outcome(result.as_ref().err(), elapsed));
    row.api = Some(elapsed);
    row.failure = result.err().map(|error| format!("api: {error}"));
}

fn run_step(row: &mut Row, step: Step, project: &Path, target_dir: &Path) -> cmd::Result {
    let (result, elapsed) = cmd::timed(|| step.run(project, target_dir));
    println!("    {} {}", step.name(), outcome(result.as_ref().err(), elapsed));
    row.steps.push((step, elapsed));
    result
}

/// Runs the test suite `repeat` times, every time even after a failure, so that the count of
/// passing runs measures how reliable the suite is. Fails with the first failure.
fn run_tests(row: &mut Row, project: &Path, target_dir: &Path, repeat: u32) -> cmd::Result {
    let mut first_failure = None;
    let mut total = Duration::ZERO;
    for run in 1..=repeat {
        let (result, elapsed) = cmd::timed(|| Step::Test.run(project, target_dir));
        total += elapsed;
        let run_label = if repeat > 1 { format!(" run {run}/{repeat}") } else { String::new() };
        println!("    test{run_label} {}", outcome(result.as_ref().err(), elapsed));
        row.runs.1 += 1;
        match result {
            Ok(()) => row.runs.0 += 1,
            Err(error) => {
                first_failure.get_or_insert(error);
            }
        }
    }
    row.steps.push((Step::Test, total));
    first_failure.map_or(Ok(()), Err)
}

fn outcome(error: Option<&cmd::Error>, elapsed: Duration) -> String {
    let verdict = if error.is_some() { "FAILED" } else { "ok" };
    format!("{verdict} ({})", cmd::format_duration(elapsed))
}

fn label(template: &Template, defines: &[(String, String)]) -> String {
    let values: Vec<_> = defines.iter().map(|(key, value)| format!("{key}={value}")).collect();
    format!("{} {}", template.dir, values.join(" ")).trim_end().to_owned()
}

fn project_name(template: &Template, defines: &[(String, String)]) -> String {
    let mut name = format!("demo-{}", template.short_name());
    for (_, value) in defines {
        name.push('-');
        name.push_str(value);
    }
    name
}

fn print_summary(rows: &[Row]) {
    let width = rows.iter().map(|row| row.label.len()).max().unwrap_or(8).max(8);
    let header: Vec<_> = Step::ALL.iter().map(|step| format!("{:>8}", step.name())).collect();
    println!(
        "\n{:<width$}  {}  {:>8}  {:>8}  {:>8}  result",
        "template",
        header.join(" "),
        "api",
        "total",
        "passed"
    );
    for row in rows {
        let cells: Vec<_> =
            Step::ALL.iter().map(|step| format!("{:>8}", cell(row, *step))).collect();
        let api = row.api.map_or_else(|| "-".to_owned(), cmd::format_duration);
        let total: Duration = row.steps.iter().map(|(_, elapsed)| *elapsed).sum();
        let total = total + row.api.unwrap_or_default();
        let passed = format!("{}/{}", row.runs.0, row.runs.1);
        let result = row.failure.as_deref().unwrap_or("ok");
        println!(
            "{:<width$}  {}  {api:>8}  {:>8}  {passed:>8}  {result}",
            row.label,
            cells.join(" "),
            cmd::format_duration(total)
        );
    }
}

fn cell(row: &Row, step: Step) -> String {
    row.steps
        .iter()
        .find(|(done, _)| *done == step)
        .map_or_else(|| "-".to_owned(), |(_, elapsed)| cmd::format_duration(*elapsed))
}

fn ensure_cargo_generate() -> cmd::Result {
    match cargo_generate_version() {
        Some(version) if version == CARGO_GENERATE_VERSION => Ok(()),
        Some(version) => {
            eprintln!(
                "warning: cargo-generate {version}; templates are tested with {CARGO_GENERATE_VERSION}"
            );
            Ok(())
        }
        None => Err(cmd::Error::new(format!(
            "cargo-generate is missing: cargo install cargo-generate --version {CARGO_GENERATE_VERSION} --locked"
        ))),
    }
}
