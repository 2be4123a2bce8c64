//! The checks before an upgrade generates or writes anything: the project has no uncommitted
//! work (unless `--force`), and both revisions exist in this clone. Each refusal says what to do.

use std::path::Path;

use super::git;
use super::options::Options;
use super::provenance::{self, Provenance};
use crate::cmd;

/// Refuses a project with uncommitted changes, tracked or untracked, unless `force`.
pub(crate) fn refuse_uncommitted(project: &Path, force: bool) -> cmd::Result {
    let changes = git::uncommitted(project)?;
    if force || changes.is_empty() {
        return Ok(());
    }
    let listed: Vec<_> = changes.iter().take(10).map(|line| format!("  {line}")).collect();
    Err(cmd::Error::new(format!(
        "{} has uncommitted changes; commit or stash them first (or pass --force):\n{}",
        project.display(),
        listed.join("\n")
    )))
}

/// The commit the project was generated from: `--base`, else the recorded revision.
pub(crate) fn base_commit(
    repository: &Path,
    options: &Options,
    provenance: &Provenance,
) -> cmd::Result<String> {
    let Some(revision) = options.base.as_deref().or(provenance.revision.as_deref()) else {
        return Err(no_revision(repository, provenance));
    };
    git::commit_of(repository, revision)?.ok_or_else(|| {
        cmd::Error::new(format!(
            "revision {revision} is not in {}: fetch it (git fetch --tags), or pass --base <rev>",
            repository.display()
        ))
    })
}

/// The refusal for a project whose provenance has no revision, with the release tag as a hint
/// when this clone has it.
fn no_revision(repository: &Path, provenance: &Provenance) -> cmd::Error {
    let tag = format!("v{}", provenance.version);
    let hint = match git::commit_of(repository, &tag) {
        Ok(Some(_)) => format!(
            " (it says version {}: if it came from that release, --base {tag})",
            provenance.version
        ),
        _ => String::new(),
    };
    cmd::Error::new(format!(
        "{} records no revision (a plain `cargo generate`): pass the commit it was generated \
         from with --base <rev>{hint}",
        provenance::FILE
    ))
}

/// The commit to upgrade to: `--to`, else `HEAD`.
pub(crate) fn target_commit(repository: &Path, options: &Options) -> cmd::Result<String> {
    let name = options.to.as_deref().unwrap_or("HEAD");
    git::commit_of(repository, name)?.ok_or_else(|| {
        cmd::Error::new(format!("--to {name}: no such revision in {}", repository.display()))
    })
}
