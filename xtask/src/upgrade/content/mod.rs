//! The three-way merge of one file's content, by `git merge-file`.
//!
//! Text files go through git's own merge (xdiff): the conflict markers every editor and
//! `git mergetool` understand, in zdiff3 style (git 2.35 or later): `|||||||` shows the
//! template's old text, which is what a person needs to resolve a template conflict, and lines
//! both sides share are moved out of the conflict. Line endings are kept as they are. Git's
//! binary handling is poor (it refuses, or merges bytes as lines), so binary files (a NUL in the
//! first 8000 bytes, git's own test) and `.sqlx` query data (JSON that only `cargo sqlx prepare`
//! may write, where markers would break every build) are never given to it: when both sides
//! changed them they are a conflict without markers, and the project's version stays.

use std::path::{Component, Path, PathBuf};

use crate::cmd;

/// The three versions of one file: the old generation, the project's, the new generation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sides<'a> {
    /// The template as the project was generated (empty when the file is new on both sides).
    pub(crate) base: &'a [u8],
    /// The project's.
    pub(crate) ours: &'a [u8],
    /// The template's new version.
    pub(crate) theirs: &'a [u8],
}

/// What the merge of one file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Merged {
    /// Both changes, without conflict.
    Clean(Vec<u8>),
    /// The text with conflict markers, and how many conflicting regions it has.
    Conflicted { bytes: Vec<u8>, regions: usize },
    /// A binary file or `.sqlx` data that both sides changed: no markers, nothing merged.
    Unmergeable,
}

/// Where the merge writes its three inputs, and how conflict markers name the sides.
#[derive(Debug, Clone)]
pub(crate) struct Merger {
    /// A directory of its own, for the input files.
    pub(crate) work: PathBuf,
    /// The label of the old generation, such as `template 2aec27d`.
    pub(crate) base_label: String,
    /// The label of the new generation.
    pub(crate) theirs_label: String,
}

impl Merger {
    /// Merges one file's three versions.
    ///
    /// # Errors
    /// Fails when the inputs cannot be written or git cannot merge them.
    pub(crate) fn merge(&self, path: &Path, sides: Sides<'_>) -> cmd::Result<Merged> {
        if is_opaque(path) || [sides.base, sides.ours, sides.theirs].into_iter().any(is_binary) {
            return Ok(Merged::Unmergeable);
        }
        let files = ["base", "ours", "theirs"].map(|name| self.work.join(name));
        for (file, bytes) in files.iter().zip([sides.base, sides.ours, sides.theirs]) {
            std::fs::write(file, bytes)?;
        }
        let mut command = super::git::git(&self.work);
        command.args(["merge-file", "--stdout", "--zdiff3"]);
        command.args(["-L", "project", "-L", &self.base_label, "-L", &self.theirs_label]);
        let output = command.arg(&files[1]).arg(&files[0]).arg(&files[2]).output()?;
        match output.status.code() {
            Some(0) => Ok(Merged::Clean(output.stdout)),
            Some(regions @ 1..=127) => Ok(Merged::Conflicted {
                bytes: output.stdout,
                regions: usize::try_from(regions).unwrap_or(1),
            }),
            _ => Err(cmd::Error::new(format!(
                "git merge-file failed on {}: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ))),
        }
    }
}

/// Files merged whole or not at all: `.sqlx` query data.
fn is_opaque(path: &Path) -> bool {
    path.components().any(|part| matches!(part, Component::Normal(name) if name == ".sqlx"))
}

/// Git's test for binary content: a NUL byte in the first 8000 bytes.
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8000).any(|byte| *byte == 0)
}

#[cfg(test)]
mod tests;
