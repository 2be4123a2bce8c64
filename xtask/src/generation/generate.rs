//! Runs the real `cargo generate` on a template, and the generated project's own checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::checks::FEATURES;
use crate::cmd;

/// What to generate, and where.
#[derive(Debug, Clone)]
pub struct Generation<'a> {
    /// The template directory.
    pub(crate) template: &'a Path,
    /// The project name (`--name`).
    pub(crate) name: &'a str,
    /// Placeholder values (`-d name=value`).
    pub(crate) defines: &'a [(String, String)],
    /// The directory that receives the project.
    pub(crate) destination: &'a Path,
}

/// The cargo-generate release these templates are written for.
pub const CARGO_GENERATE_VERSION: &str = "0.23.14";

/// Generates a project without prompts, git, or a parent workspace, and returns its directory.
///
/// # Errors
/// Fails when cargo-generate is missing or the template does not expand.
pub fn generate(generation: &Generation<'_>) -> cmd::Result<PathBuf> {
    let project = generation.destination.join(generation.name);
    if project.exists() {
        std::fs::remove_dir_all(&project)?;
    }
    std::fs::create_dir_all(generation.destination)?;
    let mut command = cmd::cargo();
    command
        .arg("generate")
        .arg("--path")
        .arg(generation.template)
        .args(["--name", generation.name, "--silent", "--vcs", "none", "--no-workspace"])
        .arg("--destination")
        .arg(generation.destination);
    for (key, value) in generation.defines {
        command.arg("-d").arg(format!("{key}={value}"));
    }
    cmd::output(&mut command)?;
    Ok(project)
}

/// A check run inside a generated project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The deployment files, checked offline (see [`super::deploy`]).
    Deploy,
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo build`, with the default features: what a newcomer's first build compiles.
    Build,
    /// `cargo clippy --all-targets --all-features -- -D warnings`: the optional parts too (the
    /// Redis rate-limit store of template-rest, OpenTelemetry of template-microservice).
    Clippy,
    /// `cargo test --all-features`, so that the optional parts keep their tests.
    Test,
}

impl Step {
    /// Every step, in order.
    pub(crate) const ALL: [Self; 5] =
        [Self::Deploy, Self::Fmt, Self::Build, Self::Clippy, Self::Test];

    /// The step's name in progress lines and the summary.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Deploy => "deploy",
            Self::Fmt => "fmt",
            Self::Build => "build",
            Self::Clippy => "clippy",
            Self::Test => "test",
        }
    }

    /// The cargo arguments of the step; `None` for the one that is not a cargo command.
    fn cargo_args(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Deploy => None,
            Self::Fmt => Some(&["fmt", "--check"]),
            Self::Build => Some(&["build", "--quiet"]),
            Self::Clippy => {
                Some(&["clippy", "--quiet", "--all-targets", FEATURES, "--", "-D", "warnings"])
            }
            Self::Test => Some(&["test", "--quiet", FEATURES]),
        }
    }

    /// Runs the step in `project`, building into `target_dir`.
    ///
    /// # Errors
    /// Fails when the command fails.
    pub(crate) fn run(self, project: &Path, target_dir: &Path) -> cmd::Result {
        let Some(args) = self.cargo_args() else {
            return super::deploy::check(project);
        };
        let mut command = Command::new("cargo");
        command.current_dir(project).args(args).env("CARGO_TARGET_DIR", target_dir);
        // The generated project is standalone: nothing of this workspace's build may leak in.
        command.env_remove("CARGO").env_remove("CARGO_MANIFEST_DIR").env_remove("RUSTFLAGS");
        cmd::run(&mut command)
    }
}

/// Whether cargo-generate is installed at the expected version.
#[must_use]
pub fn cargo_generate_version() -> Option<String> {
    let output = cmd::output(cmd::cargo().args(["generate", "--version"])).ok()?;
    output.split_whitespace().last().map(str::to_owned)
}

/// Fails when the generated `project` still names its template (`template-rest`,
/// `template_rest`) anywhere, or kept the template's own machinery (`variants/`, `hooks/`).
///
/// # Errors
/// Lists the files that keep a trace.
pub fn check_traces(project: &Path, template_dir: &str) -> cmd::Result {
    let names = [template_dir.to_owned(), template_dir.replace('-', "_")];
    let mut traces: Vec<String> = ["variants", "hooks", "cargo-generate.toml"]
        .into_iter()
        .filter(|leftover| project.join(leftover).exists())
        .map(|leftover| format!("{leftover} was left in the project"))
        .collect();
    for file in files(project)? {
        let text = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        if let Some(name) = names.iter().find(|name| text.contains(name.as_str())) {
            let relative = file.strip_prefix(project).unwrap_or(&file);
            traces.push(format!("{} mentions `{name}`", relative.display()));
        }
    }
    if traces.is_empty() {
        return Ok(());
    }
    Err(cmd::Error::new(format!("the template's name survived generation: {}", traces.join("; "))))
}

/// Every file under `dir`, except build output.
fn files(dir: &Path) -> cmd::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() && !path.ends_with("target") {
                pending.push(path);
            } else if path.is_file() {
                found.push(path);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_and_tests_cover_every_feature_and_the_build_only_the_default_ones() {
        let args = |step: Step| step.cargo_args().unwrap_or_default();
        assert!(args(Step::Clippy).contains(&"--all-features"), "the Redis store is linted");
        assert!(args(Step::Test).contains(&"--all-features"), "the Redis store is tested");
        assert!(!args(Step::Build).contains(&"--all-features"), "a newcomer's first build");
    }

    #[test]
    fn traces_of_the_template_name_are_found() {
        let project = std::env::temp_dir().join(format!("traces-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&project);
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(project.join("src/main.rs"), "fn main() { orders::start() }").unwrap();
        assert!(check_traces(&project, "template-rest").is_ok());
        std::fs::write(project.join("src/lib.rs"), "//! template_rest docs").unwrap();
        std::fs::create_dir_all(project.join("variants")).unwrap();
        let error = check_traces(&project, "template-rest").unwrap_err().to_string();
        assert!(error.contains("lib.rs mentions `template_rest`"), "{error}");
        assert!(error.contains("variants was left"), "{error}");
        std::fs::remove_dir_all(&project).unwrap();
    }
}
