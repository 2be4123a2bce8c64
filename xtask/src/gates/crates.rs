//! The rules about a crate as a whole rather than one file: [`super::module_cycles`] and
//! [`super::module_boundary`], over the `src/` of every package of the workspace.

use std::path::{Path, PathBuf};

use super::imports::{self, CrateFile};
use super::{Finding, module_boundary, module_cycles};
use crate::cmd;
use crate::workspace::{self, packages};

/// The findings of both rules over every package under `root`, with its list of allowed cycles.
pub(crate) fn check(root: &Path) -> cmd::Result<Vec<Finding>> {
    let allowed = std::fs::read_to_string(root.join(module_cycles::ALLOWED)).unwrap_or_default();
    check_with(root, &allowed)
}

/// The same, with the text of the allow list given.
fn check_with(root: &Path, allowed: &str) -> cmd::Result<Vec<Finding>> {
    let paths = workspace::git_ls_files(root, &["*.rs", "*MODULE.md"])?;
    let read = |path: &Path| std::fs::read_to_string(root.join(path)).ok();
    let mut crates = Vec::new();
    let mut findings = Vec::new();
    for package in packages::all(root)? {
        let files = imports::crate_files(&package, &paths, &read);
        findings.extend(boundary(&package.dir.join("src"), &files, &paths));
        crates.push((package.dir.to_string_lossy().into_owned(), files));
    }
    let crates: Vec<module_cycles::Crate<'_>> = crates
        .iter()
        .map(|(dir, files)| module_cycles::Crate { dir: dir.clone(), files })
        .collect();
    findings.extend(module_cycles::check(&crates, allowed));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crate_is_read_and_only_the_listed_cycles_pass() {
        let root = cmd::workspace_root();
        assert_eq!(check(&root).unwrap(), Vec::new());
        let unlisted = check_with(&root, "").unwrap();
        let rule = |finding: &&Finding| finding.rule == module_cycles::RULE;
        let packages = packages::all(&root).unwrap();
        let crates: std::collections::BTreeSet<String> = unlisted
            .iter()
            .filter(rule)
            .filter_map(|finding| packages::owning(&packages, &finding.path))
            .map(|package| package.dir.to_string_lossy().into_owned())
            .collect();
        let allowed = std::fs::read_to_string(root.join(module_cycles::ALLOWED)).unwrap();
        let entries = allowed.lines().filter(|line| !line.is_empty() && !line.starts_with('#'));
        for entry in entries {
            let dir = entry.split(": ").next().unwrap();
            assert!(crates.contains(dir), "{dir} has a listed cycle, found without the list");
        }
    }
}
