//! Writes a plan into the project: contents, executable bits, removals. Only called once the
//! whole plan is known, so that a refusal or a failed generation writes nothing.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use super::plan::{Change, Conflict, Planned};
use super::snapshot::Entry;
use crate::cmd;

/// Applies every planned change under `project`.
///
/// # Errors
/// Fails on the first file that cannot be written or removed.
pub(crate) fn apply(project: &Path, planned: &[Planned]) -> cmd::Result {
    for item in planned {
        let path = project.join(&item.path);
        let written = match &item.change {
            Change::Updated(entry)
            | Change::Merged(entry)
            | Change::Added(entry)
            | Change::Conflict(Conflict::Markers { entry, .. }) => write(&path, entry),
            Change::Removed => remove(project, &path),
            Change::Kept | Change::Conflict(Conflict::Unmergeable | Conflict::DeletedInProject) => {
                Ok(())
            }
        };
        written.map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
    }
    Ok(())
}

/// Writes the bytes, keeping the file's other permission bits, and sets the executable bit.
fn write(path: &Path, entry: &Entry) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, &entry.bytes)?;
    let mut mode = std::fs::metadata(path)?.permissions().mode();
    mode = if entry.executable { mode | ((mode & 0o444) >> 2) } else { mode & !0o111 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Removes the file, then the directories it leaves empty, up to the project.
fn remove(project: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path)?;
    let mut parent = path.parent();
    while let Some(dir) = parent.filter(|dir| *dir != project && dir.starts_with(project)) {
        let empty = std::fs::read_dir(dir)?.next().is_none();
        if !empty {
            break;
        }
        std::fs::remove_dir(dir)?;
        parent = dir.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upgrade::scratch::Scratch;

    #[test]
    fn files_are_written_with_their_bits_and_removals_prune_empty_directories() {
        let scratch = Scratch::new("apply-test").unwrap();
        let project = scratch.path();
        std::fs::create_dir_all(project.join("old/deep")).unwrap();
        std::fs::write(project.join("old/deep/gone.txt"), "x").unwrap();
        let script = Entry { bytes: b"#!/bin/sh\n".to_vec(), executable: true };
        let plan = [
            Planned { path: "bin/run".into(), change: Change::Added(script) },
            Planned { path: "old/deep/gone.txt".into(), change: Change::Removed },
            Planned { path: "kept.txt".into(), change: Change::Kept },
        ];
        apply(project, &plan).unwrap();
        let mode = std::fs::metadata(project.join("bin/run")).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111 & (mode >> 2 & 0o111));
        assert_ne!(mode & 0o100, 0);
        assert!(!project.join("old").exists());
        assert!(!project.join("kept.txt").exists());
        assert!(project.is_dir());
    }
}
