//! `cargo xtask templates`: generates every template, with every value of each placeholder,
//! using the real `cargo generate`, then builds, lints and tests each generated project.
//!
//! Projects go to a temporary directory outside the workspace, and share one target directory
//! (`<target>/generated`), so that dependencies build once for all of them. A template with an
//! HTTP API (template-rest) gets one more step, `api`: schemathesis against the built service.

mod api;
mod discover;
mod generate;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{checks, cmd};

pub use discover::{Template, placeholders as discover_placeholders, templates};
pub use generate::{
    CARGO_GENERATE_VERSION, Generation, Step, cargo_generate_version, check_traces, generate,
};

/// Command-line options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only this template (`rest`, or `template-rest`).
    pub only: Option<String>,
}

impl Options {
    /// Parses `[--only TEMPLATE]`.
    ///
    /// # Errors
    /// Fails on unknown arguments.
    pub fn from_args(args: &[String]) -> cmd::Result<Self> {
        match args {
            [] => Ok(Self::default()),
            [flag, template] if flag == "--only" => Ok(Self { only: Some(template.clone()) }),
            _ => Err(cmd::Error::new("usage: cargo xtask templates [--only TEMPLATE]")),
        }
    }

    fn selects(&self, template: &Template) -> bool {
        self.only
            .as_deref()
            .is_none_or(|only| only == template.dir || only == template.short_name())
    }
}

/// The outcome of one generated project.
struct Row {
    label: String,
    steps: Vec<(Step, Duration)>,
    api: Option<Duration>,
    failure: Option<String>,
}

/// Generates and checks every selected template combination, then prints a summary table.
///
/// # Errors
/// Fails when any combination fails, after trying all of them.
pub fn run(options: &Options) -> cmd::Result {
    ensure_cargo_generate()?;
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
        rows.push(check_one(&generation, &target_dir, label));
    }
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

fn check_one(generation: &Generation<'_>, target_dir: &Path, label: String) -> Row {
    let mut row = Row { label, steps: Vec::new(), api: None, failure: None };
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
        let (result, elapsed) = cmd::timed(|| step.run(&project, target_dir));
        println!("    {} {}", step.name(), outcome(result.as_ref().err(), elapsed));
        row.steps.push((step, elapsed));
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
        "\n{:<width$}  {}  {:>8}  {:>8}  result",
        "template",
        header.join(" "),
        "api",
        "total"
    );
    for row in rows {
        let cells: Vec<_> =
            Step::ALL.iter().map(|step| format!("{:>8}", cell(row, *step))).collect();
        let api = row.api.map_or_else(|| "-".to_owned(), cmd::format_duration);
        let total: Duration = row.steps.iter().map(|(_, elapsed)| *elapsed).sum();
        let total = total + row.api.unwrap_or_default();
        let result = row.failure.as_deref().unwrap_or("ok");
        println!(
            "{:<width$}  {}  {api:>8}  {:>8}  {result}",
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
