//! The binary belongs to this checkout.
//!
//! `cargo xtask` is `cargo run --package xtask`, and `.ci/run` keeps its build directory outside
//! the clone, so two clones (or git worktrees) can share it. Each clone's xtask is a unit of its
//! own there, but both are copied to the same `debug/xtask`, and cargo copies a unit only when it
//! builds it: after a build in clone B, `cargo xtask` in an up-to-date clone A runs B's binary,
//! whose `workspace_root` is B, and would test B's templates. `cargo run` tells the binary which
//! package it ran for (`CARGO_MANIFEST_DIR` at run time); when that is not the directory the
//! binary was compiled from, [`ensure`] marks this checkout's `main.rs` as changed and runs the
//! command again through cargo, which rebuilds and copies the right binary.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

/// Set on the second run, so a mismatch that a rebuild cannot cure fails instead of looping.
const RERUN_MARK: &str = "XTASK_REBUILT_FOR_CHECKOUT";

/// What the run-time manifest directory says about this binary.
#[derive(Debug, PartialEq, Eq)]
enum Origin {
    /// Compiled from the checkout cargo ran it for, or not run by `cargo run --package xtask`
    /// (started directly, or with a variable inherited from a test of another package).
    ThisCheckout,
    /// Compiled from another checkout that shares the build directory.
    OtherCheckout,
}

fn origin(compiled_for: &Path, run_for: Option<&Path>) -> Origin {
    match run_for {
        Some(run_for)
            if run_for != compiled_for && run_for.file_name() == compiled_for.file_name() =>
        {
            Origin::OtherCheckout
        }
        _ => Origin::ThisCheckout,
    }
}

/// `None` when this binary is the checkout's own; otherwise the exit code of the same command
/// run again, rebuilt for this checkout.
pub(crate) fn ensure(args: &[String]) -> Option<ExitCode> {
    let run_for = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    let compiled_for = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run_for = run_for.as_deref();
    if origin(compiled_for, run_for) == Origin::ThisCheckout {
        return None;
    }
    let run_for = run_for.unwrap_or(compiled_for);
    if std::env::var_os(RERUN_MARK).is_some() {
        eprintln!(
            "xtask: this binary was built from {} but cargo ran it for {}, even after a rebuild",
            compiled_for.display(),
            run_for.display()
        );
        return Some(ExitCode::FAILURE);
    }
    eprintln!("xtask: the shared build directory held another checkout's xtask; rebuilding");
    Some(rerun(run_for, args))
}

/// Touches `main.rs` of the checkout at `manifest_dir` and runs `cargo xtask args` there.
fn rerun(manifest_dir: &Path, args: &[String]) -> ExitCode {
    let main = manifest_dir.join("src/main.rs");
    let touched = std::fs::File::options()
        .append(true)
        .open(&main)
        .and_then(|file| file.set_modified(std::time::SystemTime::now()));
    if let Err(error) = touched {
        eprintln!("xtask: cannot mark {} as changed: {error}", main.display());
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let status = Command::new(cargo)
        .current_dir(manifest_dir)
        .args(["run", "--quiet", "--package", "xtask", "--"])
        .args(args)
        .env(RERUN_MARK, "1")
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("xtask: cannot run cargo again: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Origin, origin};
    use std::path::Path;

    #[test]
    fn a_binary_run_for_the_checkout_it_was_built_from_is_its_own() {
        let here = Path::new("/work/a/xtask");
        assert_eq!(origin(here, Some(here)), Origin::ThisCheckout);
    }

    #[test]
    fn a_binary_built_in_another_checkout_is_recognised() {
        let built = Path::new("/work/b/xtask");
        assert_eq!(origin(built, Some(Path::new("/work/a/xtask"))), Origin::OtherCheckout);
    }

    #[test]
    fn a_variable_inherited_from_another_package_is_not_a_checkout() {
        let built = Path::new("/work/a/xtask");
        assert_eq!(origin(built, Some(Path::new("/work/a/template-rest"))), Origin::ThisCheckout);
    }

    #[test]
    fn a_binary_started_without_cargo_is_trusted() {
        assert_eq!(origin(Path::new("/work/a/xtask"), None), Origin::ThisCheckout);
    }
}
