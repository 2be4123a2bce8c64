//! The `module-cycles` rule over a fixture crate with a cycle at the top and one in a folder.

use std::path::PathBuf;

use super::*;
use crate::gates::imports::crate_files;
use crate::workspace::packages::Package;

const FIXTURE: &str = "xtask/tests/fixtures/gates/module_cycles";

fn files() -> Vec<CrateFile> {
    let root = crate::cmd::workspace_root();
    let package = Package { name: "fixture".into(), dir: FIXTURE.into() };
    let paths = crate::workspace::git_ls_files(&root, &[FIXTURE]).unwrap();
    crate_files(&package, &paths, &|path| std::fs::read_to_string(root.join(path)).ok())
}

fn run(allowed: &str) -> Vec<(String, usize, String)> {
    let files = files();
    let crates = [Crate { dir: "fixture".into(), files: &files }];
    let findings = check(&crates, allowed);
    let short = |path: &PathBuf| path.to_string_lossy().replace(&format!("{FIXTURE}/src/"), "");
    findings
        .iter()
        .map(|finding| (short(&finding.path), finding.line, finding.message.clone()))
        .collect()
}

#[test]
fn each_cycle_is_reported_at_its_closing_edge() {
    let found = run("");
    let places: Vec<(&str, usize)> =
        found.iter().map(|(path, line, _)| (path.as_str(), *line)).collect();
    assert_eq!(places, [("repositories/users.rs", 3), ("http/b.rs", 6)], "{found:#?}");
    let message = &found[0].2;
    assert!(message.starts_with("import cycle config -> repositories -> config:"), "{message}");
    assert!(message.contains(
        "config -> repositories at xtask/tests/fixtures/gates/module_cycles/src/config.rs:3"
    ));
    assert!(found[1].2.starts_with("import cycle http::a -> http::b -> http::a"), "{}", found[1].2);
}

#[test]
fn a_listed_edge_with_a_reason_is_left_out() {
    let found = run("# comment\n\nfixture: repositories -> config: being split into settings\n");
    let places: Vec<(&str, usize)> =
        found.iter().map(|(path, line, _)| (path.as_str(), *line)).collect();
    assert_eq!(places, [("http/b.rs", 6)]);
    let both = "fixture: repositories -> config: settings: being split\nfixture: http::b -> http::a: a: b\n";
    assert_eq!(run(both), Vec::new(), "nested modules and colons in the reason");
}

#[test]
fn stale_and_malformed_list_entries_are_findings() {
    let allowed = "fixture: health -> config: no cycle here\n\
                   fixture: nothing -> config: gone\n\
                   fixture: http::a -> http::b\n\
                   other: repositories -> config: another crate's edge\n";
    let found = run(allowed);
    let mut in_list: Vec<usize> =
        found.iter().filter(|(path, ..)| path == ALLOWED).map(|(_, line, _)| *line).collect();
    in_list.sort_unstable();
    assert_eq!(in_list, [1, 2, 3, 4], "{found:#?}");
    assert_eq!(found.iter().filter(|(path, ..)| path != ALLOWED).count(), 2);
}

#[test]
fn a_pair_of_listed_edges_still_close_their_cycle() {
    let allowed = "fixture: repositories -> config: one\nfixture: config -> repositories: two\n";
    let found = run(allowed);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "http/b.rs");
}

/// A file of a crate made from text, at `path` under `src/`.
fn file(path: &str, text: &str) -> CrateFile {
    let module = crate::gates::imports::module_path(path);
    let (imports, reexports) = crate::gates::imports::imports(text, &module).unwrap();
    CrateFile { path: PathBuf::from(path), module, imports, reexports }
}

#[test]
fn a_cycle_through_a_parent_s_reexport_is_found() {
    let files = [
        file("hub/mod.rs", "//! Hub.\nmod outbox;\nmod x;\npub use outbox::Outbox;\n"),
        file("hub/outbox.rs", "//! Outbox.\nuse super::x::Helper;\n"),
        file("hub/x.rs", "//! X.\nuse super::Outbox;\n"),
    ];
    let crates = [Crate { dir: "fixture".into(), files: &files }];
    let findings = check(&crates, "");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0].message.starts_with("import cycle hub::outbox -> hub::x -> hub::outbox"));
}
