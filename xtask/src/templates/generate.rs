//! Runs the real `cargo generate` on a template, and the generated project's own checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// What to generate, and where.
#[derive(Debug, Clone)]
pub struct Generation<'a> {
    /// The template directory.
    pub template: &'a Path,
    /// The project name (`--name`).
    pub name: &'a str,
    /// Placeholder values (`-d name=value`).
    pub defines: &'a [(String, String)],
    /// The directory that receives the project.
    pub destination: &'a Path,
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
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo build`.
    Build,
    /// `cargo clippy --all-targets -- -D warnings`.
    Clippy,
    /// `cargo test`.
    Test,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Self; 4] = [Self::Fmt, Self::Build, Self::Clippy, Self::Test];

    /// The step's name in progress lines and the summary.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Fmt => "fmt",
            Self::Build => "build",
            Self::Clippy => "clippy",
            Self::Test => "test",
        }
    }

    fn args(self) -> &'static [&'static str] {
        match self {
            Self::Fmt => &["fmt", "--check"],
            Self::Build => &["build", "--quiet"],
            Self::Clippy => &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
            Self::Test => &["test", "--quiet"],
        }
    }

    /// Runs the step in `project`, building into `target_dir`.
    ///
    /// # Errors
    /// Fails when the command fails.
    pub fn run(self, project: &Path, target_dir: &Path) -> cmd::Result {
        let mut command = Command::new("cargo");
        command.current_dir(project).args(self.args()).env("CARGO_TARGET_DIR", target_dir);
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
