//! The decision table of [`super::plan`], on in-memory snapshots.

use std::path::PathBuf;

use super::{Change, Conflict, Planned, Trees, has_conflicts, plan};
use crate::upgrade::content::Merger;
use crate::upgrade::scratch::Scratch;
use crate::upgrade::snapshot::{Entry, Snapshot};

fn entry(text: &str) -> Entry {
    Entry { bytes: text.as_bytes().to_vec(), executable: false }
}

fn snapshot(files: &[(&str, Entry)]) -> Snapshot {
    files.iter().map(|(path, entry)| (PathBuf::from(path), entry.clone())).collect()
}

fn planned(base: &Snapshot, theirs: &Snapshot, ours: &Snapshot) -> Vec<(String, Change)> {
    let scratch = Scratch::new("plan-test").unwrap();
    let merger = Merger {
        work: scratch.path().to_path_buf(),
        base_label: "old".to_owned(),
        theirs_label: "new".to_owned(),
    };
    let trees = Trees { base, theirs, ours };
    let planned = plan(&trees, &merger).unwrap();
    planned
        .into_iter()
        .map(|Planned { path, change }| (path.display().to_string(), change))
        .collect()
}

/// The three sides of every case, by path: base, theirs, ours.
fn table() -> [Snapshot; 3] {
    let base = snapshot(&[
        ("same", entry("s")),
        ("updated", entry("u1")),
        ("removed", entry("r")),
        ("kept", entry("k")),
        ("deleted-by-project", entry("d1")),
        ("already", entry("a1")),
        (".template.toml", entry("old")),
        ("target/x", entry("1")),
    ]);
    let theirs = snapshot(&[
        ("same", entry("s")),
        ("updated", entry("u2")),
        ("deleted-by-project", entry("d2")),
        ("already", entry("a2")),
        ("added", entry("new")),
        (".template.toml", entry("new")),
        ("target/x", entry("2")),
    ]);
    [base, theirs, table_ours()]
}

fn table_ours() -> Snapshot {
    snapshot(&[
        ("same", entry("edited, but the template did not change it")),
        ("updated", entry("u1")),
        ("removed", entry("r")),
        ("kept", entry("k, edited")),
        ("already", entry("a2")),
        (".template.toml", entry("old")),
        ("target/x", entry("1")),
    ])
}

#[test]
fn each_case_of_the_table() {
    let [base, theirs, ours] = table();
    let expected = [
        ("added", Change::Added(entry("new"))),
        ("deleted-by-project", Change::Conflict(Conflict::DeletedInProject)),
        ("kept", Change::Kept),
        ("removed", Change::Removed),
        ("updated", Change::Updated(entry("u2"))),
    ];
    let expected: Vec<_> =
        expected.into_iter().map(|(path, change)| (path.to_owned(), change)).collect();
    assert_eq!(planned(&base, &theirs, &ours), expected);
}

#[test]
fn an_executable_bit_follows_the_template_unless_the_project_changed_it() {
    let executable = |text: &str| Entry { executable: true, ..entry(text) };
    let base = snapshot(&[("run", entry("a\nb\nc\n")), ("tool", entry("1\n"))]);
    let theirs = snapshot(&[("run", executable("a\nb\nC\n")), ("tool", entry("1\n2\n"))]);
    let ours = snapshot(&[("run", entry("A\nb\nc\n")), ("tool", executable("0\n1\n"))]);
    let changes = planned(&base, &theirs, &ours);
    assert_eq!(changes[0], ("run".to_owned(), Change::Merged(executable("A\nb\nC\n"))));
    assert_eq!(changes[1], ("tool".to_owned(), Change::Merged(executable("0\n1\n2\n"))));
}

#[test]
fn files_both_sides_added_differently_conflict_and_binaries_keep_the_project_version() {
    let base = snapshot(&[("logo", entry("\0one"))]);
    let theirs = snapshot(&[("logo", entry("\0two")), ("new.md", entry("template\n"))]);
    let ours = snapshot(&[("logo", entry("\0three")), ("new.md", entry("mine\n"))]);
    let changes = planned(&base, &theirs, &ours);
    assert_eq!(changes[0], ("logo".to_owned(), Change::Conflict(Conflict::Unmergeable)));
    let Change::Conflict(Conflict::Markers { entry, regions: 1 }) = &changes[1].1 else {
        panic!("expected markers: {changes:?}");
    };
    assert!(String::from_utf8_lossy(&entry.bytes).contains("<<<<<<< project\nmine\n"));
    let all: Vec<_> =
        changes.into_iter().map(|(path, change)| Planned { path: path.into(), change }).collect();
    assert!(has_conflicts(&all));
    assert!(!has_conflicts(&all[..0]));
}
