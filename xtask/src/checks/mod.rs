//! The stages that wrap a tool as it is: rustfmt, clippy, rustdoc, and the test suites.
//!
//! Every cargo command runs at the workspace root with one feature set, [`FEATURES`], so that
//! clippy, rustdoc and the tests see the same code, and clippy and rustdoc share the dependencies
//! they check. The loom models build with `--cfg loom` in their own target directory, so that
//! the changed `RUSTFLAGS` never invalidate the main build.

use std::path::PathBuf;

use crate::cmd;

/// The feature flag every workspace-wide cargo command uses.
pub(crate) const FEATURES: &str = "--all-features";

/// The circuit-breaker crate, whose loom models `test` runs.
const LOOM_CRATE: &str = "template-microservice/circuit-breaker";

/// Whether `fmt` only checks or also rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FmtMode {
    /// Fails if any file is not formatted.
    Check,
    /// Formats every file in place.
    Fix,
}

impl FmtMode {
    /// `--fix` rewrites; anything else checks.
    pub(crate) fn from_args(args: &[String]) -> Self {
        if args.iter().any(|arg| arg == "--fix") {
            return Self::Fix;
        }
        Self::Check
    }
}

/// `cargo fmt` over the whole workspace, checking or fixing, then rustfmt over the files no
/// crate compiles in place: the templates' variants (`template-*/variants/**/*.rs`) and the
/// sources xtask writes into scratch projects (`xtask/fixtures/**/*.rs`), each with the
/// `rustfmt.toml` of its top folder.
pub(crate) fn fmt(mode: FmtMode) -> cmd::Result {
    let mut command = workspace_cargo(&["fmt", "--all"]);
    if mode == FmtMode::Check {
        command.args(["--", "--check"]);
    }
    cmd::run(&mut command)?;
    let root = cmd::workspace_root();
    let uncompiled = ["template-*/variants/**/*.rs", "xtask/fixtures/**/*.rs"];
    for file in crate::workspace::git_ls_files(&root, &uncompiled)? {
        let template = file.components().next().map(|dir| root.join(dir)).unwrap_or_default();
        let mut rustfmt = std::process::Command::new("rustfmt");
        rustfmt.current_dir(&root).args(["--edition", "2024", "--config-path"]).arg(template);
        if mode == FmtMode::Check {
            rustfmt.arg("--check");
        }
        cmd::run(rustfmt.arg(&file))?;
    }
    Ok(())
}

/// `cargo clippy` on every target and feature, with warnings as errors. `--keep-going` reports
/// every failing crate in one run.
pub(crate) fn lint() -> cmd::Result {
    let mut command = workspace_cargo(&["clippy", "--workspace", "--all-targets", FEATURES]);
    cmd::run(command.args(["--keep-going", "--", "-D", "warnings"]))
}

/// `cargo doc` for the workspace's own crates, with rustdoc warnings as errors.
pub(crate) fn docs() -> cmd::Result {
    let mut command = workspace_cargo(&["doc", "--workspace", "--no-deps", FEATURES]);
    cmd::run(command.arg("--keep-going").env("RUSTDOCFLAGS", "-D warnings"))
}

/// The workspace's tests (all of them, even after a failure), then the loom models.
pub(crate) fn test() -> cmd::Result {
    cmd::run(&mut workspace_cargo(&["test", "--workspace", FEATURES, "--no-fail-fast"]))?;
    loom()
}

/// The circuit breaker's loom models: `--cfg loom`, release mode, their own target directory.
pub(crate) fn loom() -> cmd::Result {
    let root = cmd::workspace_root();
    if !root.join(LOOM_CRATE).join("tests/loom.rs").is_file() {
        return Err(cmd::Error::new(format!("{LOOM_CRATE}/tests/loom.rs is missing")));
    }
    let mut command = workspace_cargo(&["test", "-p", "circuit-breaker", "--release"]);
    command.args(["--test", "loom"]).env("RUSTFLAGS", "--cfg loom");
    cmd::run(command.env("CARGO_TARGET_DIR", target_dir().join("loom")))
}

/// The target directory: `CARGO_TARGET_DIR` if set, else `target/` at the workspace root.
pub(crate) fn target_dir() -> PathBuf {
    let root = cmd::workspace_root();
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// Whether `cargo NAME --version` works, for subcommands that answer only through cargo.
pub(crate) fn has_cargo_subcommand(name: &str) -> bool {
    let output = cmd::cargo().args([name, "--version"]).output();
    output.is_ok_and(|output| output.status.success())
}

fn workspace_cargo(args: &[&str]) -> std::process::Command {
    let mut command = cmd::cargo();
    command.current_dir(cmd::workspace_root()).args(args);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_only_when_asked() {
        assert_eq!(FmtMode::from_args(&["--fix".to_owned()]), FmtMode::Fix);
        assert_eq!(FmtMode::from_args(&[]), FmtMode::Check);
        assert_eq!(FmtMode::from_args(&["--check".to_owned()]), FmtMode::Check);
    }

    #[test]
    fn subcommands_are_found_through_cargo() {
        assert!(has_cargo_subcommand("clippy"));
        assert!(!has_cargo_subcommand("no-such-subcommand-here"));
    }

    #[test]
    fn target_dir_is_absolute() {
        assert!(target_dir().is_absolute(), "{}", target_dir().display());
    }
}
