//! The rules about a crate as a whole rather than one file: [`super::module_cycles`] and
//! [`super::module_boundary`], over the `src/` of every package of the workspace.

use std::path::{Path, PathBuf};

use super::imports::{self, CrateFile};
use super::{Finding, module_boundary, module_cycles};
use crate::cmd;
use crate::workspace::{self, packages};

/// The findings of both rules over every package under `root`.
pub(crate) fn check(root: &Path) -> cmd::Result<Vec<Finding>> {
    let paths = workspace::git_ls_files(root, &["*.rs", "*MODULE.md"])?;
    let read = |path: &Path| std::fs::read_to_string(root.join(path)).ok();
    let mut crates = Vec::new();
    let mut findings = Vec::new();
    for package in packages::all(root)? {
        let files = imports::crate_files(&package, &paths, &read);
        findings.extend(boundary(&package.dir.join("src"), &files, &paths));
        crates.push((package.dir.to_string_lossy().into_owned(), files));
    }
    let allowed = std::fs::read_to_string(root.join(module_cycles::ALLOWED)).unwrap_or_default();
    let crates: Vec<module_cycles::Crate<'_>> = crates
        .iter()
        .map(|(dir, files)| module_cycles::Crate { dir: dir.clone(), files })
        .collect();
    findings.extend(module_cycles::check(&crates, &allowed));
    Ok(findings)
}

/// The `module-boundary` findings of one crate: its folders under `src` with a `MODULE.md`.
fn boundary(src: &Path, files: &[CrateFile], paths: &[PathBuf]) -> Vec<Finding> {
    let modules: Vec<&Path> = paths
        .iter()
        .filter(|path| {
            path.starts_with(src) && path.file_name().is_some_and(|name| name == "MODULE.md")
        })
        .filter_map(|path| path.parent())
        .collect();
    module_boundary::check(files, src, &modules)
}
