//! `add`'s options and refusals, and how it copies over an earlier copy. The `cargo add` part
//! runs in the `modules` stage, which adds every module to a fresh app.

use super::*;
use crate::modules::{discover, find};
use crate::upgrade::scratch::Scratch;

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).collect()
}

fn module(name: &str) -> Module {
    find(&discover(&cmd::workspace_root()).unwrap(), name).unwrap().clone()
}

/// A package at a fresh scratch directory, with the given extra files.
fn app(files: &[(&str, &str)]) -> Scratch {
    let scratch = Scratch::new("add-test").unwrap();
    let manifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";
    std::fs::write(scratch.path().join("Cargo.toml"), manifest).unwrap();
    for (path, text) in files {
        let path = scratch.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    scratch
}

/// Every file under `dir`, relative to it, with its text.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn options_take_a_module_and_a_path_or_list() {
    let options = Options::from_args(&strings(&["problem", "--to", "../app", "--force"])).unwrap();
    assert_eq!(
        options,
        Options { module: Some("problem".into()), to: "../app".into(), force: true }
    );
    assert_eq!(Options::from_args(&strings(&["--list"])).unwrap().module, None);
    assert!(Options::from_args(&strings(&["problem"])).is_err(), "no --to");
    assert!(Options::from_args(&strings(&["--list", "problem"])).is_err());
    assert!(Options::from_args(&strings(&["a", "b", "--to", "x"])).is_err());
}

#[test]
fn a_directory_without_a_package_is_refused_and_left_alone() {
    let root = cmd::workspace_root();
    let empty = Scratch::new("add-test").unwrap();
    let error = add(&root, &module("problem"), empty.path(), false).unwrap_err().to_string();
    assert!(error.contains("is not a cargo package: no Cargo.toml; nothing written"), "{error}");
    assert!(snapshot(empty.path()).is_empty());
    let workspace = Scratch::new("add-test").unwrap();
    std::fs::write(workspace.path().join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    let error = add(&root, &module("problem"), workspace.path(), false).unwrap_err().to_string();
    assert!(error.contains("has no [package] table"), "{error}");
    assert_eq!(snapshot(workspace.path()).len(), 1);
}

#[test]
fn a_different_module_of_the_same_name_is_refused_even_with_force() {
    let root = cmd::workspace_root();
    let cases = [
        (("src/problem.rs", "//! Mine.\n"), "src/problem.rs exists"),
        (("src/problem/mod.rs", "//! Mine.\n"), "exists without a MODULE.md"),
        (("src/problem/MODULE.md", "# errors\n\nMine.\n"), "is the module `errors`"),
        (("circuit-breaker/MODULE.md", "# breaker\n\nMine.\n"), "is the module `breaker`"),
    ];
    for ((path, text), expected) in cases {
        let scratch = app(&[(path, text)]);
        let before = snapshot(scratch.path());
        let name = if path.starts_with("circuit") { "circuit-breaker" } else { "problem" };
        let error = add(&root, &module(name), scratch.path(), true).unwrap_err().to_string();
        assert!(error.contains(expected), "{path}: {error}");
        assert!(
            error.ends_with(&format!("a different module named `{name}`; nothing written")),
            "{error}"
        );
        assert_eq!(snapshot(scratch.path()), before, "{path}: nothing written");
    }
}

#[test]
fn an_earlier_copy_keeps_its_edits_unless_forced() {
    let root = cmd::workspace_root();
    let problem = module("problem");
    let page = std::fs::read_to_string(root.join(&problem.dir).join("MODULE.md")).unwrap();
    let scratch =
        app(&[("src/problem/MODULE.md", &page), ("src/problem/error.rs", "//! Edited.\n")]);
    let destination = destination(&problem, scratch.path()).unwrap();
    let files = module_files(&root, &problem).unwrap();
    let report = copy(&files, &destination, false, &mut Rollback::default()).unwrap().join("\n");
    assert!(
        report.contains("kept your version (differs; --force replaces it): error.rs"),
        "{report}"
    );
    assert!(report.contains("1 already there"), "{report}");
    assert_eq!(std::fs::read_to_string(destination.join("error.rs")).unwrap(), "//! Edited.\n");
    assert!(destination.join("response.rs").is_file(), "missing files are added");
    let report = copy(&files, &destination, true, &mut Rollback::default()).unwrap().join("\n");
    assert!(report.contains("replaced (--force): error.rs"), "{report}");
    let original = std::fs::read(root.join(&problem.dir).join("error.rs")).unwrap();
    assert_eq!(std::fs::read(destination.join("error.rs")).unwrap(), original);
}

/// `problem`, but its second dependency cannot be added: no crate is at its path.
fn problem_with_a_dependency_that_fails() -> Module {
    let mut problem = module("problem");
    problem.page.dependencies = "[dependencies]\n\
        helper = { path = \"helper\" }\n\
        missing = { path = \"no-such-crate\" }\n"
        .to_owned();
    problem
}

#[test]
fn a_failing_cargo_add_leaves_the_destination_as_it_was() {
    let root = cmd::workspace_root();
    let page = std::fs::read_to_string(root.join("template-rest/src/problem/MODULE.md")).unwrap();
    let helper = "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";
    let lock = "# This file is automatically @generated by Cargo.\n\
        # It is not intended for manual editing.\nversion = 4\n\n\
        [[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";
    let fresh = [
        ("src/main.rs", "fn main() {}\n"),
        ("helper/Cargo.toml", helper),
        ("helper/src/lib.rs", "//! A crate `add` can depend on.\n"),
    ];
    let earlier_copy = [("Cargo.lock", lock), ("src/problem/MODULE.md", &page)];
    let earlier_copy = [&fresh[..], &earlier_copy, &[("src/problem/error.rs", "//! Edited.\n")]];
    for (files, force) in [(fresh.to_vec(), false), (earlier_copy.concat(), true)] {
        let scratch = app(&files);
        let before = snapshot(scratch.path());
        let module = problem_with_a_dependency_that_fails();
        let error = add(&root, &module, scratch.path(), force).unwrap_err().to_string();
        assert!(error.contains("no-such-crate"), "the failure says which dependency: {error}");
        assert!(error.contains("left as it was"), "{error}");
        assert_eq!(snapshot(scratch.path()), before, "files, Cargo.toml and Cargo.lock restored");
        let folder = scratch.path().join("src/problem");
        assert_eq!(folder.exists(), force, "a folder created by the copy is removed");
    }
}
