//! Recording where a project now stands, in its `.template.toml`: after an upgrade with no
//! conflict, and after `cargo xtask new`.

use std::path::Path;

use super::git;
use super::provenance::{self, Provenance};
use super::summary::Report;
use crate::cmd;

/// Records the new revision, unless a file is in conflict or nothing changed.
pub(crate) fn record(
    report: &Report,
    current: &Provenance,
    mut recorded: Provenance,
) -> cmd::Result {
    if report.conflicts() > 0 {
        return Ok(());
    }
    recorded.revision = Some(report.to.clone());
    if recorded == *current {
        return Ok(());
    }
    recorded.write(&report.project)
}

/// Writes the revision of a project `cargo xtask new` just generated from `template_dir` of
/// `repository`'s work tree: `HEAD`, when the template has no uncommitted changes. Otherwise the
/// project is not from any commit, so it records none and the first upgrade needs `--base`.
///
/// # Errors
/// Fails when the provenance file cannot be read or written.
pub(crate) fn record_new_project(
    repository: &Path,
    template_dir: &str,
    project: &Path,
) -> cmd::Result<String> {
    let mut provenance = Provenance::read(project)?;
    let changes = git::uncommitted(&repository.join(template_dir))?;
    if !changes.is_empty() {
        return Ok(format!(
            "warning: {template_dir} has uncommitted changes, so {} records no revision; \
             its first `cargo xtask upgrade` needs --base <rev>",
            provenance::FILE
        ));
    }
    let head =
        git::commit_of(repository, "HEAD")?.ok_or_else(|| cmd::Error::new("no HEAD commit"))?;
    provenance.revision = Some(head.clone());
    provenance.write(project)?;
    Ok(format!("recorded template {template_dir} at {} in {}", git::short(&head), provenance::FILE))
}
