//! The environment under which `cargo test` collects coverage: cargo-llvm-cov's `show-env`.
//!
//! cargo-llvm-cov prints the variables that make cargo instrument the workspace's crates (and
//! only those: dependencies build as usual) and write profiles where `cargo llvm-cov report`
//! looks for them. Everything happens in `<target>/llvm-cov-target`, apart from the normal
//! build, so that instrumented artifacts never leak into `cargo test` or `cargo build`.
//! llvm-cov and llvm-profdata come from Debian's `llvm-22`, the LLVM of rustc 1.95, unless
//! `LLVM_COV` and `LLVM_PROFDATA` are set; without either, cargo-llvm-cov uses rustup's
//! `llvm-tools` component (as on GitHub's runners) and says so if it is missing.

use std::path::Path;
use std::process::Command;

use crate::{checks, cmd};

/// Where Debian's `llvm-22` installs its tools.
const LLVM_BIN: &str = "/usr/lib/llvm-22/bin";

/// The variables of a coverage run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Environment {
    variables: Vec<(String, String)>,
}

impl Environment {
    /// Asks cargo-llvm-cov for its variables, with the LLVM tools and the target directory set.
    pub(crate) fn new() -> cmd::Result<Self> {
        if !checks::has_cargo_subcommand("llvm-cov") {
            let install = "cargo install cargo-llvm-cov --locked";
            return Err(cmd::Error::new(format!("cargo-llvm-cov is missing: `{install}`")));
        }
        let mut variables = base_variables();
        let mut show_env = cmd::cargo();
        show_env.current_dir(cmd::workspace_root()).args(["llvm-cov", "show-env"]);
        show_env.envs(variables.iter().map(|(key, value)| (key, value)));
        variables.extend(parse(&cmd::output(&mut show_env)?));
        Ok(Self { variables })
    }

    /// `cargo ARGS` at the workspace root, under this environment.
    pub(crate) fn cargo(&self, args: &[&str]) -> Command {
        let mut command = cmd::cargo();
        command.current_dir(cmd::workspace_root()).args(args);
        command.envs(self.variables.iter().map(|(key, value)| (key, value)));
        command
    }

    /// `cargo llvm-cov ARGS`, under this environment.
    pub(crate) fn llvm_cov(&self, args: &[&str]) -> Command {
        let mut command = self.cargo(&["llvm-cov"]);
        command.args(args);
        command
    }
}

/// The target directory, and the LLVM tools where Debian installs them and nothing else is set.
fn base_variables() -> Vec<(String, String)> {
    let target = checks::target_dir().join("llvm-cov-target");
    let mut variables = vec![("CARGO_TARGET_DIR".to_owned(), target.display().to_string())];
    for (variable, tool) in [("LLVM_COV", "llvm-cov"), ("LLVM_PROFDATA", "llvm-profdata")] {
        let path = Path::new(LLVM_BIN).join(tool);
        if std::env::var_os(variable).is_none() && path.is_file() {
            variables.push((variable.to_owned(), path.display().to_string()));
        }
    }
    variables
}

/// The `KEY=value` lines of `show-env`; values may be wrapped in single quotes.
fn parse(output: &str) -> Vec<(String, String)> {
    let pairs = output.lines().filter_map(|line| line.split_once('='));
    let unquote = |value: &str| {
        let inner = value.strip_prefix('\'').and_then(|value| value.strip_suffix('\''));
        inner.unwrap_or(value).to_owned()
    };
    pairs.map(|(key, value)| (key.trim().to_owned(), unquote(value))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_env_lines_become_variables() {
        let output = "LLVM_PROFILE_FILE='/t/main-%p.profraw'\nCARGO_LLVM_COV=1\nnot a variable\n";
        let expected = vec![
            ("LLVM_PROFILE_FILE".to_owned(), "/t/main-%p.profraw".to_owned()),
            ("CARGO_LLVM_COV".to_owned(), "1".to_owned()),
        ];
        assert_eq!(parse(output), expected);
    }

    #[test]
    fn coverage_builds_apart_from_the_normal_build() {
        let variables = base_variables();
        let target = &variables[0];
        assert_eq!(target.0, "CARGO_TARGET_DIR");
        assert!(target.1.ends_with("llvm-cov-target"), "{}", target.1);
    }
}
