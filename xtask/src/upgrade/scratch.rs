//! A temporary directory that removes itself, so that an upgrade leaves nothing behind, even
//! when it fails half-way. (std has none, and the `tempfile` crate would be xtask's only reason
//! to build `rustix`.)

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::cmd;

/// A fresh directory under the system's temporary directory, removed on drop.
#[derive(Debug)]
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `<tmp>/xtask-<purpose>-<pid>-<n>`, empty.
    ///
    /// # Errors
    /// Fails when the directory cannot be created.
    pub(crate) fn new(purpose: &str) -> cmd::Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let serial = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("xtask-{purpose}-{}-{serial}", std::process::id());
        let path = std::env::temp_dir().join(name);
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover temporary directory is harmless, a panic in drop is not.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_directories_are_distinct_and_removed_on_drop() {
        let first = Scratch::new("scratch-test").unwrap();
        let second = Scratch::new("scratch-test").unwrap();
        assert_ne!(first.path(), second.path());
        std::fs::write(first.path().join("file"), "x").unwrap();
        let kept = first.path().to_path_buf();
        drop(first);
        assert!(!kept.exists());
        assert!(second.path().is_dir());
    }
}
