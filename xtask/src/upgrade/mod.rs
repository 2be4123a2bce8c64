//! `cargo xtask upgrade --project <path> [--to <rev>] [--base <rev>] [--dry-run] [--force]`:
//! carries a generated project forward to a newer revision of its template, by a three-way
//! merge, as Python's copier and cruft do.
//!
//! The flow, one concept per file:
//! 1. [`provenance`]: the project's `.template.toml` says which template, revision and values
//!    it was generated from; [`options`] reads the command line.
//! 2. [`preflight`] refuses, before anything is generated or written: uncommitted work in the
//!    project (unless `--force`), a revision this clone does not have ([`git`]).
//! 3. [`regenerate`]: the template at the old and the new revision, generated with the
//!    project's values by the real cargo-generate, in a [`scratch`] directory.
//! 4. [`snapshot`] reads both generations and the project; [`plan`] decides each file's change
//!    and [`content`] merges the text of files both sides changed.
//! 5. [`apply`] writes the plan (unless `--dry-run`); [`record`] writes the new revision only
//!    when nothing conflicted; [`summary`] prints the outcome.
//!
//! [`rehearsal`] is CI's check that an old generation upgrades to `HEAD`, and [`gate`] keeps
//! every template's `.template.toml` in the format [`provenance`] reads.
//!
//! The merge engine is `git merge-file`, not a crate. The candidates were `diffy` (pure Rust,
//! has `merge`, cheap to build) and `imara-diff` (diffs only, no three-way merge). `diffy`'s merge
//! has recently dropped one side of a delete/insert conflict without a marker (its issue 28, fixed
//! in 2024) and glued markers onto lines without a final newline (fixed in 0.5.2 behind an
//! option), and both reports used `git merge-file` as the reference. Git is already required here
//! (`git archive`, `git status`), costs xtask's first build nothing, and writes the markers
//! every editor and merge tool reads. Its weak spot, binary files, is handled before it is called.

mod apply;
mod content;
pub(crate) mod gate;
mod git;
mod options;
pub(crate) mod plan;
mod preflight;
pub(crate) mod provenance;
mod record;
mod regenerate;
pub(crate) mod rehearsal;
pub(crate) mod scratch;
pub(crate) mod snapshot;
mod summary;

use std::path::Path;

use crate::cmd;
use content::Merger;
pub(crate) use options::Options;
use provenance::Provenance;
pub(crate) use record::record_new_project;
use scratch::Scratch;
pub(crate) use summary::Report;

/// Runs `cargo xtask upgrade` against this clone, and prints the summary.
///
/// # Errors
/// Fails on a refusal, a failed generation, or when files are left in conflict.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let options = Options::parse(args)?;
    let report = upgrade(&cmd::workspace_root(), &options)?;
    print!("{}", report.render());
    match report.conflicts() {
        0 => Ok(()),
        1 => Err(cmd::Error::new("1 file in conflict; see the summary")),
        count => Err(cmd::Error::new(format!("{count} files in conflict; see the summary"))),
    }
}

/// Upgrades `options.project` with the templates of `repository` (a clone of this repository).
///
/// # Errors
/// Refuses, with nothing written, when the project has no provenance file, has uncommitted
/// changes (unless forced), or names a revision the repository does not have; fails when a
/// generation or a write fails.
pub(crate) fn upgrade(repository: &Path, options: &Options) -> cmd::Result<Report> {
    let project = &options.project;
    let provenance = Provenance::read(project)?;
    preflight::refuse_uncommitted(project, options.force)?;
    let from = preflight::base_commit(repository, options, &provenance)?;
    let to = preflight::target_commit(repository, options)?;
    let scratch = Scratch::new("upgrade")?;
    let context = Context { repository, project, provenance: &provenance, scratch: scratch.path() };
    let (planned, recorded) = if from == to {
        (Vec::new(), provenance.clone())
    } else {
        merge_generations(&context, &from, &to)?
    };
    let template = provenance.template_dir();
    let dry_run = options.dry_run;
    let report = Report { project: project.clone(), template, from, to, planned, dry_run };
    if !dry_run {
        apply::apply(project, &report.planned)?;
        record::record(&report, &provenance, recorded)?;
    }
    Ok(report)
}

/// What the generations of one upgrade share.
struct Context<'a> {
    repository: &'a Path,
    project: &'a Path,
    provenance: &'a Provenance,
    scratch: &'a Path,
}

/// Generates the template at both commits, and plans the merge of their difference into the
/// project. Also returns the provenance to record: the new generation's, whose values are the
/// project's plus the defaults of any placeholder the template added.
fn merge_generations(
    context: &Context<'_>,
    from: &str,
    to: &str,
) -> cmd::Result<(Vec<plan::Planned>, Provenance)> {
    let Context { repository, project, provenance, scratch } = *context;
    let old = regenerate::regenerate(repository, from, provenance, &scratch.join("old"))?;
    let new = regenerate::regenerate(repository, to, provenance, &scratch.join("new"))?;
    let (base, theirs) = (snapshot::read_tree(&old)?, snapshot::read_tree(&new)?);
    let ours = snapshot::read_listed(project, plan::paths(&base, &theirs).iter())?;
    let merger = Merger {
        work: scratch.join("merge"),
        base_label: format!("template {}", git::short(from)),
        theirs_label: format!("template {}", git::short(to)),
    };
    std::fs::create_dir_all(&merger.work)?;
    let planned = plan::plan(&plan::Trees { base: &base, theirs: &theirs, ours: &ours }, &merger)?;
    Ok((planned, Provenance::read(&new).unwrap_or_else(|_| provenance.clone())))
}

#[cfg(test)]
mod tests;
