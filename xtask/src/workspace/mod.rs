//! The repository as git sees it: which files it holds, and which packages own them.
//!
//! Every module that lists files goes through [`git_ls_files`], so that they all see the same
//! set: tracked files and the untracked ones git would add, never ignored ones.

pub(crate) mod packages;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// Where xtask keeps the files its tests check, which break rules on purpose: no listing of the
/// repository's own files (gates, packages, the hook) includes them.
pub(crate) const FIXTURES: &str = "xtask/tests/fixtures";

/// The files matching `pathspecs` that git tracks or would track (untracked, not ignored) and
/// that exist in the work tree, relative to `root`, sorted.
pub(crate) fn git_ls_files(root: &Path, pathspecs: &[&str]) -> cmd::Result<Vec<PathBuf>> {
    let mut command = Command::new("git");
    command.current_dir(root).args(["ls-files", "-z", "--cached", "--others"]);
    command.args(["--exclude-standard", "--"]).args(pathspecs);
    let listing = cmd::output(&mut command)?;
    let mut paths: Vec<PathBuf> = listing
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(PathBuf::from)
        .filter(|path| root.join(path).is_file())
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_relative_sorted_and_existing() {
        let root = cmd::workspace_root();
        let files = git_ls_files(&root, &["xtask/src/*.rs"]).unwrap();
        assert!(files.contains(&PathBuf::from("xtask/src/main.rs")), "{files:?}");
        assert!(files.is_sorted() && files.iter().all(|file| root.join(file).is_file()));
    }
}
