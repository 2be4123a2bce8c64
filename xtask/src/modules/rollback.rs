//! What `add` changes in the destination, recorded before each change, so that a failure part
//! way (a `cargo add` that cannot resolve, a file that cannot be written) puts the destination
//! back as it was: the files it wrote get their old bytes back or are removed, the directories
//! it created are removed, and the files a command may rewrite (`Cargo.toml`, `Cargo.lock`)
//! are recorded before the command runs.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The state of the destination before `add` changed it.
#[derive(Debug, Default)]
pub(crate) struct Rollback {
    /// Each file written, or that a command may write, with its bytes before (`None`: it did
    /// not exist), in the order first recorded.
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Each directory created, outermost first.
    dirs: Vec<PathBuf>,
}

impl Rollback {
    /// Records `path` as it is now, unless it is recorded already.
    pub(crate) fn keep(&mut self, path: &Path) -> std::io::Result<()> {
        if self.files.iter().any(|(kept, _)| kept == path) {
            return Ok(());
        }
        let before = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        self.files.push((path.to_path_buf(), before));
        Ok(())
    }

    /// Writes `content` to `path`, creating its directory; what was there is recorded first.
    pub(crate) fn write(&mut self, path: &Path, content: &[u8]) -> std::io::Result<()> {
        self.keep(path)?;
        if let Some(parent) = path.parent() {
            let missing = parent.ancestors().take_while(|dir| !dir.exists());
            let mut missing: Vec<PathBuf> = missing.map(Path::to_path_buf).collect();
            std::fs::create_dir_all(parent)?;
            missing.reverse();
            self.dirs.extend(missing);
        }
        std::fs::write(path, content)
    }

    /// Puts every recorded file back and removes the directories created, the last change
    /// first; returns what could not be put back, in words (empty when all was).
    pub(crate) fn restore(self) -> Vec<String> {
        let mut failures = Vec::new();
        for (path, before) in self.files.iter().rev() {
            let restored = match before {
                Some(bytes) => std::fs::write(path, bytes),
                None => std::fs::remove_file(path).or_else(|error| match error.kind() {
                    ErrorKind::NotFound => Ok(()),
                    _ => Err(error),
                }),
            };
            if let Err(error) = restored {
                failures.push(format!("{}: {error}", path.display()));
            }
        }
        for dir in self.dirs.iter().rev() {
            if let Err(error) = std::fs::remove_dir(dir) {
                failures.push(format!("{}: {error}", dir.display()));
            }
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upgrade::scratch::Scratch;

    #[test]
    fn files_and_directories_come_back_as_they_were() {
        let scratch = Scratch::new("rollback-test").unwrap();
        let (kept, replaced) = (scratch.path().join("Cargo.toml"), scratch.path().join("a.rs"));
        std::fs::write(&kept, "before").unwrap();
        std::fs::write(&replaced, "mine").unwrap();
        let mut rollback = Rollback::default();
        rollback.keep(&kept).unwrap();
        std::fs::write(&kept, "after").unwrap();
        rollback.write(&replaced, b"theirs").unwrap();
        rollback.write(&scratch.path().join("new/deep/b.rs"), b"new").unwrap();
        rollback.write(&scratch.path().join("new/c.rs"), b"new").unwrap();
        assert!(rollback.restore().is_empty());
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "before");
        assert_eq!(std::fs::read_to_string(&replaced).unwrap(), "mine");
        assert!(!scratch.path().join("new").exists(), "created directories are removed");
    }
}
