//! The git questions an upgrade asks: which commit a revision names, whether a project has
//! uncommitted work, and the template's files at a commit (`git archive`, so that neither the
//! clone's work tree nor its index is ever touched).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::cmd;

/// The full commit id that `revision` names in `repository`, or `None` when it names nothing.
///
/// # Errors
/// Fails when git cannot run.
pub(crate) fn commit_of(repository: &Path, revision: &str) -> cmd::Result<Option<String>> {
    let output = git(repository)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{revision}^{{commit}}"))
        .output()?;
    if !output.status.success() {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&output.stdout).trim().to_owned()))
}

/// The first 12 characters of a commit id, for messages.
pub(crate) fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Whether `path` exists at `commit`.
pub(crate) fn exists_at(repository: &Path, commit: &str, path: &str) -> bool {
    let object = format!("{commit}:{path}");
    git(repository).args(["cat-file", "-e", &object]).output().is_ok_and(|out| out.status.success())
}

/// The uncommitted changes under `project`, tracked or untracked (not ignored), as
/// `git status --short` lines; none when the project is not in a git work tree.
///
/// # Errors
/// Fails when git cannot run.
pub(crate) fn uncommitted(project: &Path) -> cmd::Result<Vec<String>> {
    let inside = git(project).args(["rev-parse", "--is-inside-work-tree"]).output()?;
    if !inside.status.success() {
        return Ok(Vec::new());
    }
    let mut status = git(project);
    status.args(["status", "--porcelain=v1", "--untracked-files=all", "--", "."]);
    let listing = cmd::output(&mut status)?;
    Ok(listing.lines().map(str::to_owned).collect())
}

/// Writes `dir` as it is at `commit` into `destination` (`git archive | tar -x`).
///
/// # Errors
/// Fails when either program fails.
pub(crate) fn export(
    repository: &Path,
    commit: &str,
    dir: &str,
    destination: &Path,
) -> cmd::Result {
    std::fs::create_dir_all(destination)?;
    let mut archive = git(repository)
        .args(["archive", "--format=tar", commit, "--", dir])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = archive.stdout.take().ok_or_else(|| cmd::Error::new("git archive: no output"))?;
    let extracted =
        Command::new("tar").arg("-x").arg("-C").arg(destination).stdin(stdout).status()?;
    let archived = archive.wait()?;
    if !archived.success() || !extracted.success() {
        let what = format!("git archive {} {dir} | tar -x", short(commit));
        return Err(cmd::Error::new(format!("`{what}` failed ({archived}, {extracted})")));
    }
    Ok(())
}

/// The commit a CI rehearsal upgrades from: the newest release tag (`v*`) before `HEAD`, or
/// else `HEAD~steps` (the first commit, when the history is shorter).
///
/// # Errors
/// Fails on a shallow clone, whose history is cut.
pub(crate) fn previous_release(repository: &Path, steps: usize) -> cmd::Result<String> {
    let mut describe = git(repository);
    describe.args(["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD^"]);
    if let Ok(tag) = cmd::output(&mut describe) {
        return Ok(tag.trim().to_owned());
    }
    let shallow = cmd::output(git(repository).args(["rev-parse", "--is-shallow-repository"]))?;
    if shallow.trim() == "true" {
        return Err(cmd::Error::new(
            "the clone is shallow: fetch its history (git fetch --unshallow)",
        ));
    }
    let count = cmd::output(git(repository).args(["rev-list", "--count", "HEAD"]))?;
    let available = count.trim().parse::<usize>().unwrap_or(1).saturating_sub(1);
    Ok(format!("HEAD~{}", steps.min(available)))
}

/// A git command run in `dir`, with the caller's git environment removed so that a hook or a
/// test harness cannot point it at another repository.
pub(crate) fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir);
    for variable in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"] {
        command.env_remove(variable);
    }
    command
}
