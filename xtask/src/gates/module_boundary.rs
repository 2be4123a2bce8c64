//! The `module-boundary` rule: a folder of a crate's `src/` that holds a `MODULE.md` is a module
//! a user copies into another app, so it names nothing of its crate outside itself: no
//! `crate::` path (nor `super::` path climbing out of it) that lands outside the folder. What it
//! needs from elsewhere comes from external crates, declared in its `MODULE.md`.
//!
//! Generalises the per-template test `template-rest/tests/module_boundary.rs` to every crate of
//! the workspace, with paths read by syn (see [`super::imports`]) rather than by text.

use std::path::Path;

use super::Finding;
use super::imports::CrateFile;

pub(crate) const RULE: &str = "module-boundary";

/// One finding per path that leaves its module, for the module folders `modules` (paths of the
/// folders relative to the root, each under `src`).
pub(crate) fn check(files: &[CrateFile], src: &Path, modules: &[&Path]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for folder in modules {
        let Ok(relative) = folder.strip_prefix(src) else { continue };
        let module: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        let inside = files.iter().filter(|file| file.path.starts_with(folder));
        for file in inside {
            let leaving = file.imports.iter().filter(|import| !import.target.starts_with(&module));
            findings.extend(leaving.map(|import| {
                let message = format!(
                    "`crate::{}` is outside the module `{}` (it has a MODULE.md): take it from an external crate, or move it into the folder",
                    import.target.join("::"),
                    folder.display()
                );
                Finding::new(&file.path, import.line, RULE, message)
            }));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::gates::imports::crate_files;
    use crate::workspace::packages::Package;

    const FIXTURE: &str = "xtask/tests/fixtures/gates/module_boundary";

    fn findings() -> Vec<(String, usize)> {
        let root = crate::cmd::workspace_root();
        let package = Package { name: "fixture".into(), dir: FIXTURE.into() };
        let paths = crate::workspace::git_ls_files(&root, &[FIXTURE]).unwrap();
        let files =
            crate_files(&package, &paths, &|path| std::fs::read_to_string(root.join(path)).ok());
        let src = PathBuf::from(FIXTURE).join("src");
        let modules = [src.join("problem"), src.join("clean")];
        let modules: Vec<&Path> = modules.iter().map(PathBuf::as_path).collect();
        let found = check(&files, &src, &modules);
        let name = |path: &Path| path.strip_prefix(&src).unwrap().display().to_string();
        found.iter().map(|finding| (name(&finding.path), finding.line)).collect()
    }

    #[test]
    fn crate_and_super_paths_leaving_a_module_folder_are_found() {
        let mut found = findings();
        found.sort();
        let expected =
            [("problem/mod.rs", 6), ("problem/response.rs", 5), ("problem/response.rs", 9)];
        let expected: Vec<(String, usize)> =
            expected.iter().map(|(path, line)| ((*path).to_owned(), *line)).collect();
        assert_eq!(found, expected);
    }
}
