//! `cargo xtask install-hooks` and `cargo xtask pre-commit`: a git pre-commit hook that checks
//! the staged Rust files in seconds, and the templates' variants they reach in minutes.
//!
//! The hook runs rustfmt on the staged files, clippy on the packages that own them (the same
//! flags as `lint`, so a warm build is reused), and the gates on those files plus the twins check.
//! Then, when a staged change reaches what a template's `variants/` compile with (see
//! `check_variants`), it runs `check-variants` for that template. It reads the files as they
//! are in the work tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::checks::FEATURES;
use crate::workspace::packages;
use crate::{check_variants, cmd, gates};

/// The hook's text; its marker line tells a hook of ours from someone else's.
const HOOK: &str = "#!/bin/sh\n\
                    # Installed by `cargo xtask install-hooks`.\n\
                    exec cargo xtask pre-commit\n";

/// Writes `.git/hooks/pre-commit` (or wherever git keeps hooks), unless another hook is there.
pub(crate) fn install() -> cmd::Result {
    let path = install_into(&cmd::workspace_root())?;
    println!("installed {}", path.display());
    Ok(())
}

/// Installs the hook in the repository at `root`; returns its path.
fn install_into(root: &Path) -> cmd::Result<PathBuf> {
    let mut git = Command::new("git");
    git.current_dir(root).args(["rev-parse", "--git-path", "hooks"]);
    let path = root.join(cmd::output(&mut git)?.trim()).join("pre-commit");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    if !existing.is_empty() && !existing.contains("cargo xtask pre-commit") {
        let hint = "add `cargo xtask pre-commit` to it, or remove it and run this again";
        return Err(cmd::Error::new(format!("{} exists: {hint}", path.display())));
    }
    std::fs::create_dir_all(path.parent().unwrap_or(root))?;
    std::fs::write(&path, HOOK)?;
    make_executable(&path)?;
    Ok(path)
}

/// Checks the staged Rust files (rustfmt, clippy on their packages, the gates), then the
/// variants of the templates that the staged changes reach (`check-variants`).
pub(crate) fn pre_commit() -> cmd::Result {
    let root = cmd::workspace_root();
    let staged = staged_files(&root)?;
    let rust: Vec<PathBuf> = staged
        .iter()
        .filter(|path| gates::is_checked(path) && root.join(path).is_file())
        .cloned()
        .collect();
    if rust.is_empty() {
        println!("pre-commit: no staged Rust files");
    } else {
        check_rust(&root, &rust)?;
    }
    check_variants::for_staged(&root, &staged)
}

/// rustfmt, clippy on the packages that own `staged`, and the gates.
fn check_rust(root: &Path, staged: &[PathBuf]) -> cmd::Result {
    let mut rustfmt = Command::new("rustfmt");
    rustfmt.current_dir(root).args(["--check", "--edition", "2024"]).args(staged);
    cmd::run(&mut rustfmt)?;
    clippy(root, &owning_packages(&packages::all(root)?, staged))?;
    gates::run_on(root, staged)
}

/// clippy on the named packages only, with the flags of `cargo xtask lint`.
fn clippy(root: &Path, names: &[String]) -> cmd::Result {
    if names.is_empty() {
        return Ok(());
    }
    let mut command = cmd::cargo();
    command.current_dir(root).arg("clippy");
    command.args(names.iter().flat_map(|name| ["-p", name.as_str()]));
    cmd::run(command.args(["--all-targets", FEATURES, "--", "-D", "warnings"]))
}

/// The staged paths (added, copied, modified, renamed or deleted), relative to `root`.
fn staged_files(root: &Path) -> cmd::Result<Vec<PathBuf>> {
    let args = ["diff", "--cached", "--name-only", "--diff-filter=ACMRD", "-z"];
    let listing = cmd::output(Command::new("git").current_dir(root).args(args))?;
    Ok(listing.split('\0').filter(|name| !name.is_empty()).map(PathBuf::from).collect())
}

/// The names of the packages that own `paths`, each once.
fn owning_packages(all: &[packages::Package], paths: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = paths
        .iter()
        .filter_map(|path| packages::owning(all, path))
        .map(|package| package.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(unix)]
fn make_executable(path: &Path) -> cmd::Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> cmd::Result {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_runs_pre_commit() {
        assert!(HOOK.starts_with("#!/bin/sh\n"));
        assert!(HOOK.contains("exec cargo xtask pre-commit"));
    }

    #[test]
    fn install_writes_an_executable_hook_once_and_spares_foreign_hooks() {
        let root = std::env::temp_dir().join(format!("xtask-hooks-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        cmd::output(Command::new("git").current_dir(&root).args(["init", "--quiet"])).unwrap();
        let path = install_into(&root).unwrap();
        assert_eq!(install_into(&root).unwrap(), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), HOOK);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111);
        }
        std::fs::write(&path, "#!/bin/sh\nexec other-tool\n").unwrap();
        assert!(install_into(&root).is_err());
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn staged_files_map_to_their_packages_once() {
        let package =
            |name: &str, dir: &str| packages::Package { name: name.into(), dir: dir.into() };
        let all = [package("rest", "template-rest"), package("xtask", "xtask")];
        let paths = ["xtask/src/a.rs", "template-rest/src/b.rs", "xtask/src/c.rs", "build.rs"];
        let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        assert_eq!(owning_packages(&all, &paths), vec!["rest".to_owned(), "xtask".to_owned()]);
    }
}
