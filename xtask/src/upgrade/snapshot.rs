//! A directory's files in memory: bytes and executable bit by relative path.
//!
//! Generated projects are small (a few hundred kilobytes), so the old and new generations are
//! read whole; of the project, only the paths the generations name are read, so that its
//! databases, uploads and build output are never opened. Paths under `.git/` or `target/` are
//! never part of a snapshot: an upgrade does not touch them.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Component, Path, PathBuf};

use crate::cmd;

/// One file's content and executable bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The bytes, line endings and all.
    pub(crate) bytes: Vec<u8>,
    /// Whether the owner may execute it.
    pub(crate) executable: bool,
}

/// Files by path relative to the snapshot's root.
pub(crate) type Snapshot = BTreeMap<PathBuf, Entry>;

/// Whether an upgrade leaves `path` (relative) alone: it is inside `.git/` or `target/`.
pub(crate) fn is_ignored(path: &Path) -> bool {
    path.components()
        .any(|part| matches!(part, Component::Normal(name) if name == ".git" || name == "target"))
}

/// Every file under `dir`, except ignored ones.
///
/// # Errors
/// Fails when a directory or file cannot be read.
pub(crate) fn read_tree(dir: &Path) -> cmd::Result<Snapshot> {
    let mut snapshot = Snapshot::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if is_ignored(&path) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if let Some(file) = read_entry(&dir.join(&path))? {
                snapshot.insert(path, file);
            }
        }
    }
    Ok(snapshot)
}

/// The files among `paths` that exist under `dir`.
///
/// # Errors
/// Fails when an existing file cannot be read.
pub(crate) fn read_listed<'p>(
    dir: &Path,
    paths: impl Iterator<Item = &'p PathBuf>,
) -> cmd::Result<Snapshot> {
    let mut snapshot = Snapshot::new();
    for path in paths {
        if let Some(file) = read_entry(&dir.join(path))? {
            snapshot.insert(path.clone(), file);
        }
    }
    Ok(snapshot)
}

/// A regular file's entry; `None` when nothing (or a directory) is there.
fn read_entry(path: &Path) -> cmd::Result<Option<Entry>> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !metadata.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(path)
        .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
    Ok(Some(Entry { bytes, executable: metadata.permissions().mode() & 0o100 != 0 }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upgrade::scratch::Scratch;

    #[test]
    fn trees_skip_git_and_target_and_keep_executable_bits() {
        let scratch = Scratch::new("snapshot-test").unwrap();
        let root = scratch.path();
        for dir in ["src", ".git", "target/debug"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("src/lib.rs"), "a\r\nb\r\n").unwrap();
        std::fs::write(root.join(".git/HEAD"), "ref").unwrap();
        std::fs::write(root.join("target/debug/x"), "bin").unwrap();
        std::fs::write(root.join("run"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(root.join("run"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let tree = read_tree(root).unwrap();
        let paths: Vec<_> = tree.keys().map(|path| path.to_string_lossy().into_owned()).collect();
        assert_eq!(paths, ["run", "src/lib.rs"]);
        assert!(tree[Path::new("run")].executable);
        assert_eq!(tree[Path::new("src/lib.rs")].bytes, b"a\r\nb\r\n");
        let wanted = [PathBuf::from("src/lib.rs"), PathBuf::from("missing"), PathBuf::from("src")];
        let listed = read_listed(root, wanted.iter()).unwrap();
        assert_eq!(listed.len(), 1);
        assert!(!listed[Path::new("src/lib.rs")].executable);
    }
}
