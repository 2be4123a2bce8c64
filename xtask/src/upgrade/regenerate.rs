//! Generates a template as it was at one commit of the repository, with a project's values:
//! `git archive` of the template's directory into a temporary directory, then the real
//! `cargo generate` on it, exactly as `cargo xtask new` and `templates` run it.

use std::path::{Path, PathBuf};

use super::git;
use super::provenance::Provenance;
use crate::cmd;
use crate::generation::{Generation, generate};

/// Generates `provenance`'s template at `commit` of `repository` under `scratch`, and returns
/// the generated project's directory.
///
/// # Errors
/// Fails when the template does not exist at that commit, or does not generate.
pub(crate) fn regenerate(
    repository: &Path,
    commit: &str,
    provenance: &Provenance,
    scratch: &Path,
) -> cmd::Result<PathBuf> {
    let dir = provenance.template_dir();
    if !git::exists_at(repository, commit, &format!("{dir}/cargo-generate.toml")) {
        return Err(cmd::Error::new(format!("{dir} does not exist at {}", git::short(commit))));
    }
    let name = provenance
        .value("project-name")
        .ok_or_else(|| cmd::Error::new("the provenance has no project-name"))?;
    let source = scratch.join("source");
    git::export(repository, commit, &dir, &source)?;
    let generated = generate(&Generation {
        template: &source.join(&dir),
        name,
        defines: &provenance.defines(),
        destination: &scratch.join("generated"),
    });
    generated.map_err(|error| {
        cmd::Error::new(format!("generating {dir} at {}: {error}", git::short(commit)))
    })
}
