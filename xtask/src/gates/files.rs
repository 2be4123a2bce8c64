//! Which files the gates read: every Rust file that git tracks, or would track once added
//! (untracked but not ignored), except xtask's own test fixtures, which break rules on purpose.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::workspace::{FIXTURES, git_ls_files};

/// The `.rs` files of the repository at `root`, relative to it, sorted.
pub(crate) fn tracked_rust_files(root: &Path) -> cmd::Result<Vec<PathBuf>> {
    let files = git_ls_files(root, &["*.rs"])?;
    Ok(files.into_iter().filter(|path| is_checked(path)).collect())
}

/// Whether the gates check `path` (relative to the root): a Rust file outside the fixtures.
pub(crate) fn is_checked(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "rs") && !path.starts_with(FIXTURES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_and_other_languages_are_skipped() {
        assert!(is_checked(Path::new("template-rest/src/lib.rs")));
        assert!(!is_checked(Path::new("xtask/tests/fixtures/gates/markers_fail.rs")));
        assert!(!is_checked(Path::new("template-rest/Cargo.toml")));
    }

    #[test]
    fn this_repository_lists_its_own_gates() {
        let files = tracked_rust_files(&cmd::workspace_root()).unwrap();
        assert!(files.contains(&PathBuf::from("xtask/src/gates/files.rs")), "{files:?}");
        assert!(files.iter().all(|path| is_checked(path)));
    }
}
