//! What an upgrade does to each file, decided from three snapshots: the old generation (base),
//! the new generation (theirs) and the project (ours). Nothing is written here.
//!
//! For every path either generation has (never `.git/`, `target/` or `.template.toml`):
//! - the template did not change it, or the project already has the new version: nothing;
//! - the project left it as generated: the new version is written (`updated`);
//! - both changed it: three-way merge (`merged`), or a conflict (markers, or none for binary
//!   and `.sqlx` files, where the project's version stays);
//! - new in the template: created (`added`); if the project has its own, different file there,
//!   both are merged from an empty base;
//! - deleted by the template: removed if the project left it as generated (`removed`), else kept
//!   and listed (`kept`);
//! - deleted by the project but changed by the template: a conflict, nothing written.
//!
//! The executable bit is merged the same way: the template's change applies unless the project
//! changed the bit itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::content::{Merged, Merger, Sides};
use super::provenance;
use super::snapshot::{Entry, Snapshot, is_ignored};
use crate::cmd;

/// What happens to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// The project had it as generated: the template's new version is written.
    Updated(Entry),
    /// Both changed it; merged without conflict.
    Merged(Entry),
    /// New in the template: created.
    Added(Entry),
    /// Deleted by the template, unchanged in the project: removed.
    Removed,
    /// Deleted by the template, edited in the project: kept as it is.
    Kept,
    /// Both changed the same region, or one deleted what the other changed.
    Conflict(Conflict),
}

/// A conflict, and what is written for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// Text with conflict markers in `regions` places.
    Markers { entry: Entry, regions: usize },
    /// A binary or `.sqlx` file both changed: the project's version stays.
    Unmergeable,
    /// The project deleted a file the template changed: it stays deleted.
    DeletedInProject,
}

/// One path and its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// Relative to the project.
    pub(crate) path: PathBuf,
    /// What happens to it.
    pub(crate) change: Change,
}

/// The three snapshots of a plan.
pub(crate) struct Trees<'a> {
    /// The old generation.
    pub(crate) base: &'a Snapshot,
    /// The new generation.
    pub(crate) theirs: &'a Snapshot,
    /// The project, read at the paths of both generations.
    pub(crate) ours: &'a Snapshot,
}

/// The change for every path that has one, in path order.
///
/// # Errors
/// Fails when a text merge cannot run.
pub(crate) fn plan(trees: &Trees<'_>, merger: &Merger) -> cmd::Result<Vec<Planned>> {
    let mut planned = Vec::new();
    for path in paths(trees.base, trees.theirs) {
        let (base, theirs, ours) =
            (trees.base.get(&path), trees.theirs.get(&path), trees.ours.get(&path));
        if let Some(change) = change(&path, [base, theirs, ours], merger)? {
            planned.push(Planned { path, change });
        }
    }
    Ok(planned)
}

/// Every path of either generation that an upgrade may touch.
pub(crate) fn paths(base: &Snapshot, theirs: &Snapshot) -> BTreeSet<PathBuf> {
    let managed = |path: &&PathBuf| !is_ignored(path) && path.as_os_str() != provenance::FILE;
    base.keys().chain(theirs.keys()).filter(managed).cloned().collect()
}

/// The change for one path, from its `[base, theirs, ours]` entries.
fn change(path: &Path, sides: [Option<&Entry>; 3], merger: &Merger) -> cmd::Result<Option<Change>> {
    let [base, theirs, ours] = sides;
    if base == theirs || theirs == ours {
        return Ok(None);
    }
    let change = match (base, theirs, ours) {
        (_, None, Some(ours)) if Some(ours) == base => Change::Removed,
        (_, None, _) => Change::Kept,
        (None, Some(theirs), None) => Change::Added(theirs.clone()),
        (Some(_), Some(_), None) => Change::Conflict(Conflict::DeletedInProject),
        (_, Some(theirs), Some(ours)) if Some(ours) == base => Change::Updated(theirs.clone()),
        (_, Some(theirs), Some(ours)) => {
            return merge(path, [base, Some(theirs), Some(ours)], merger);
        }
    };
    Ok(Some(change))
}

/// Both sides changed the file: merge content and executable bit.
fn merge(path: &Path, sides: [Option<&Entry>; 3], merger: &Merger) -> cmd::Result<Option<Change>> {
    let [base, Some(theirs), Some(ours)] = sides else {
        return Ok(None);
    };
    let executable = match base {
        Some(base) if base.executable != ours.executable => ours.executable,
        _ => theirs.executable,
    };
    let contents = Sides {
        base: base.map_or(&[][..], |base| &base.bytes),
        ours: &ours.bytes,
        theirs: &theirs.bytes,
    };
    let change = match merger.merge(path, contents)? {
        Merged::Clean(bytes) => Change::Merged(Entry { bytes, executable }),
        Merged::Conflicted { bytes, regions } => {
            Change::Conflict(Conflict::Markers { entry: Entry { bytes, executable }, regions })
        }
        Merged::Unmergeable => Change::Conflict(Conflict::Unmergeable),
    };
    Ok((change != Change::Merged(ours.clone())).then_some(change))
}

/// Whether any planned change is a conflict.
pub(crate) fn has_conflicts(planned: &[Planned]) -> bool {
    planned.iter().any(|item| matches!(item.change, Change::Conflict(_)))
}

#[cfg(test)]
mod tests;
