//! CI's upgrade rehearsal: a project generated from the previous release (the newest `v*` tag
//! before `HEAD`, or `HEAD~10` when there is none) is upgraded to `HEAD`, must come out without
//! a conflict and identical to a fresh generation at `HEAD`, and must build. A template change
//! that cannot be carried forward is then seen in CI before users see it.

use std::collections::BTreeSet;
use std::path::Path;

use super::options::Options;
use super::provenance::{self, Provenance};
use super::regenerate::regenerate;
use super::scratch::Scratch;
use super::{git, snapshot, upgrade};
use crate::cmd;
use crate::generation::{Step, Template};

/// How far back the rehearsal starts when the repository has no release tag.
const STEPS_BACK: usize = 10;

/// Rehearses the upgrade of `template` to `HEAD` of `repository`, building into `target_dir`;
/// returns the summary line of the upgrade.
///
/// # Errors
/// Fails on a conflict, a difference from a fresh generation, or a failed build.
pub(crate) fn rehearse(
    repository: &Path,
    template: &Template,
    target_dir: &Path,
) -> cmd::Result<String> {
    let from_name = git::previous_release(repository, STEPS_BACK)?;
    let from = git::commit_of(repository, &from_name)?
        .ok_or_else(|| cmd::Error::new(format!("{from_name}: no such revision")))?;
    let mut provenance = Provenance::read(&repository.join(&template.dir))?;
    let name = format!("upgraded-{}", template.short_name());
    provenance.values.retain(|(key, _)| !Provenance::built_in_values().contains(&key.as_str()));
    provenance.values.insert(0, ("crate_name".to_owned(), name.replace('-', "_")));
    provenance.values.insert(0, ("project-name".to_owned(), name));
    provenance.revision = Some(from.clone());
    let scratch = Scratch::new("rehearsal")?;
    let project = regenerate(repository, &from, &provenance, &scratch.path().join("old"))?;
    provenance.write(&project)?;
    let options = Options { project: project.clone(), force: true, ..Options::default() };
    let report = upgrade(repository, &options)?;
    if report.conflicts() > 0 {
        return Err(cmd::Error::new(format!("the upgrade conflicted:\n{}", report.render())));
    }
    let fresh = regenerate(repository, &report.to, &provenance, &scratch.path().join("fresh"))?;
    same_files(&project, &fresh)?;
    Step::Build.run(&project, target_dir)?;
    let changed = report.planned.len();
    Ok(format!("{from_name} ({}) -> HEAD: {changed} files changed, builds", git::short(&from)))
}

/// Fails unless both directories hold the same files (the provenance file aside).
fn same_files(upgraded: &Path, fresh: &Path) -> cmd::Result {
    let mut upgraded = snapshot::read_tree(upgraded)?;
    let mut fresh = snapshot::read_tree(fresh)?;
    for tree in [&mut upgraded, &mut fresh] {
        tree.remove(Path::new(provenance::FILE));
    }
    let paths: BTreeSet<_> = upgraded.keys().chain(fresh.keys()).collect();
    let differing: Vec<String> = paths
        .into_iter()
        .filter(|path| upgraded.get(*path) != fresh.get(*path))
        .map(|path| path.display().to_string())
        .collect();
    if differing.is_empty() {
        return Ok(());
    }
    Err(cmd::Error::new(format!(
        "the upgraded project differs from a fresh generation at HEAD: {}",
        differing.join(", ")
    )))
}
