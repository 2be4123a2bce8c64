//! Every case of an upgrade, on the small template: clean merges, conflicts, new and deleted
//! files, binary and `.sqlx` files, line endings and executable bits, no-ops and repeats.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use super::{Fixture, numbered_lines_with, replace, set_executable, write};
use crate::upgrade::Options;
use crate::upgrade::plan::{Change, Conflict};
use crate::upgrade::provenance::Provenance;
use crate::upgrade::snapshot::Entry;

fn changes(report: &crate::upgrade::Report) -> Vec<(String, &Change)> {
    report.planned.iter().map(|item| (item.path.display().to_string(), &item.change)).collect()
}

fn recorded_revision(fixture: &Fixture) -> Option<String> {
    Provenance::read(&fixture.project).unwrap().revision
}

#[test]
fn a_template_change_in_a_region_the_project_left_alone_merges_cleanly() {
    let fixture = Fixture::new();
    fixture.commit_project(|project| {
        replace(&project.join("notes.txt"), "line 2\n", "line 2, the owner's\n");
    });
    let to = fixture.commit_template(|template| {
        replace(&template.join("notes.txt"), "line 19\n", "line 19, the template's\n");
    });
    let report = fixture.upgrade();
    assert_eq!(report.conflicts(), 0, "{}", report.render());
    let expected =
        numbered_lines_with(&[(2, "line 2, the owner's"), (19, "line 19, the template's")]);
    assert_eq!(fixture.read("notes.txt"), expected);
    assert!(matches!(changes(&report)[..], [(ref path, Change::Merged(_))] if path == "notes.txt"));
    assert_eq!(recorded_revision(&fixture), Some(to));
    assert_eq!(Provenance::read(&fixture.project).unwrap().value("flavour"), Some("fancy"));
}

#[test]
fn a_template_change_in_a_region_the_project_edited_gives_exactly_one_conflict() {
    let fixture = Fixture::new();
    let before = recorded_revision(&fixture);
    fixture
        .commit_project(|project| replace(&project.join("notes.txt"), "line 10\n", "line ten\n"));
    fixture
        .commit_template(|template| replace(&template.join("notes.txt"), "line 10\n", "line X\n"));
    let report = fixture.upgrade();
    assert_eq!(report.conflicts(), 1);
    let [(path, Change::Conflict(Conflict::Markers { regions: 1, .. }))] = &changes(&report)[..]
    else {
        panic!("{}", report.render());
    };
    assert_eq!(path, "notes.txt");
    let notes = fixture.read("notes.txt");
    assert_eq!(notes.matches("<<<<<<< project\n").count(), 1, "{notes}");
    assert!(notes.contains("line ten\n||||||| template "), "{notes}");
    assert!(notes.contains("line 10\n=======\nline X\n>>>>>>> template "), "{notes}");
    assert_eq!(recorded_revision(&fixture), before, "a conflict holds the revision back");
    assert!(report.render().contains("revision: not recorded"));
}

#[test]
fn a_file_the_template_added_is_created_with_its_executable_bit() {
    let fixture = Fixture::new();
    fixture.commit_template(|template| {
        write(&template.join("docs/guide.md"), b"# Guide\n");
        write(&template.join("scripts/check"), b"#!/bin/sh\n");
        set_executable(&template.join("scripts/check"));
    });
    let report = fixture.upgrade();
    assert_eq!(fixture.read("docs/guide.md"), "# Guide\n");
    let mode =
        std::fs::metadata(fixture.project.join("scripts/check")).unwrap().permissions().mode();
    assert_ne!(mode & 0o100, 0, "{mode:o}");
    let added: Vec<_> = changes(&report)
        .into_iter()
        .filter(|(_, change)| matches!(change, Change::Added(_)))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(added, ["docs/guide.md", "scripts/check"]);
    assert!(
        report
            .render()
            .contains("summary: 0 merged, 0 updated, 2 added, 0 removed, 0 kept, 0 conflicts")
    );
}

#[test]
fn a_deleted_template_file_is_removed_unless_the_project_edited_it_then_kept_and_reported() {
    let fixture = Fixture::new();
    fixture.commit_project(|project| {
        replace(&project.join("extra.txt"), "extra", "extra, which we use");
    });
    let to = fixture.commit_template(|template| {
        std::fs::remove_file(template.join("extra.txt")).unwrap();
        std::fs::remove_file(template.join("unused.txt")).unwrap();
    });
    let report = fixture.upgrade();
    assert_eq!(fixture.read("extra.txt"), "the template's extra, which we use\n");
    assert!(!fixture.project.join("unused.txt").exists());
    let listed = changes(&report);
    assert!(
        matches!(listed[..], [(ref kept, Change::Kept), (ref removed, Change::Removed)] if kept == "extra.txt" && removed == "unused.txt"),
        "{listed:?}"
    );
    assert!(
        report
            .render()
            .contains("  kept      extra.txt (deleted by the template, edited in the project)")
    );
    assert_eq!(recorded_revision(&fixture), Some(to), "a kept file is not a conflict");
}

#[test]
fn an_upgrade_without_a_template_change_is_a_no_op() {
    let fixture = Fixture::new();
    let before = fixture.tree();
    let report = fixture.upgrade();
    assert!(report.planned.is_empty());
    assert_eq!(fixture.tree(), before, "same revision: not one byte written");
    let to = fixture
        .commit_template(|template| write(&template.join("../ROOT.md"), b"outside the template\n"));
    let report = fixture.upgrade();
    assert!(report.planned.is_empty(), "{}", report.render());
    let mut after = fixture.tree();
    let mut expected = before;
    for tree in [&mut after, &mut expected] {
        tree.remove(Path::new(".template.toml"));
    }
    assert_eq!(after, expected);
    assert_eq!(recorded_revision(&fixture), Some(to));
}

#[test]
fn upgrading_twice_is_the_same_as_upgrading_once() {
    let fixture = Fixture::new();
    fixture.commit_project(|project| replace(&project.join("notes.txt"), "line 1\n", "line one\n"));
    fixture.commit_template(|template| {
        replace(&template.join("notes.txt"), "line 20\n", "line twenty\n");
        write(&template.join("new.txt"), b"new\n");
    });
    let first = fixture.upgrade();
    assert_eq!(first.planned.len(), 2, "{}", first.render());
    let once = fixture.tree();
    fixture.commit_project(|_| {});
    let second = fixture.upgrade();
    assert!(second.planned.is_empty(), "{}", second.render());
    assert_eq!(fixture.tree(), once);
}

#[test]
fn binary_and_sqlx_files_follow_the_same_rules_without_markers() {
    let fixture = Fixture::new();
    fixture.commit_project(|project| write(&project.join("logo.bin"), b"\x89PNG\0ours"));
    fixture.commit_template(|template| {
        write(&template.join("logo.bin"), b"\x89PNG\0theirs");
        write(&template.join(".sqlx/query-1.json"), b"{\"query\": \"SELECT 2\"}\n");
        write(&template.join(".sqlx/query-2.json"), b"{\"query\": \"SELECT 3\"}\n");
    });
    let report = fixture.upgrade();
    assert_eq!(std::fs::read(fixture.project.join("logo.bin")).unwrap(), b"\x89PNG\0ours");
    assert_eq!(fixture.read(".sqlx/query-1.json"), "{\"query\": \"SELECT 2\"}\n");
    assert_eq!(fixture.read(".sqlx/query-2.json"), "{\"query\": \"SELECT 3\"}\n");
    let listed = changes(&report);
    assert!(
        matches!(listed[..], [(_, Change::Updated(_)), (_, Change::Added(_)), (ref logo, Change::Conflict(Conflict::Unmergeable))] if logo == "logo.bin"),
        "{listed:?}"
    );
    let text = report.render();
    assert!(
        text.contains("CONFLICT  logo.bin (binary or .sqlx data changed on both sides"),
        "{text}"
    );
}

#[test]
fn line_endings_and_executable_bits_are_kept() {
    let fixture = Fixture::new();
    fixture.commit_project(|project| replace(&project.join("crlf.txt"), "one\r\n", "ONE\r\n"));
    fixture.commit_template(|template| {
        replace(&template.join("crlf.txt"), "six\r\n", "SIX\r\n");
        replace(&template.join("scripts/run"), "echo run", "echo running");
    });
    fixture.upgrade();
    assert_eq!(fixture.read("crlf.txt"), "ONE\r\ntwo\r\nthree\r\nfour\r\nfive\r\nSIX\r\n");
    let run = std::fs::metadata(fixture.project.join("scripts/run")).unwrap();
    assert_ne!(run.permissions().mode() & 0o100, 0);
    assert_eq!(fixture.read("scripts/run"), "#!/bin/sh\necho running\n");
}

#[test]
fn a_dry_run_reports_the_same_changes_and_writes_nothing() {
    let fixture = Fixture::new();
    fixture.commit_template(|template| write(&template.join("new.txt"), b"new\n"));
    let before = fixture.tree();
    let dry = fixture.upgrade_with(Options { dry_run: true, ..Options::default() }).unwrap();
    assert_eq!(fixture.tree(), before);
    assert!(dry.render().contains("(dry run: nothing written)"));
    assert!(dry.render().contains("would be recorded"));
    let real = fixture.upgrade();
    assert_eq!(real.planned, dry.planned);
    assert_eq!(
        dry.planned[0].change,
        Change::Added(Entry { bytes: b"new\n".to_vec(), executable: false })
    );
}

#[test]
fn a_placeholder_the_template_added_is_recorded_with_its_default() {
    let fixture = Fixture::new();
    fixture.commit_template(|template| {
        let manifest = template.join("cargo-generate.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let added = "\n[placeholders.colour]\ntype = \"string\"\nprompt = \"Colour?\"\nchoices = [\"red\", \"blue\"]\ndefault = \"blue\"\n";
        std::fs::write(manifest, text + added).unwrap();
        let provenance = template.join(".template.toml");
        let text = std::fs::read_to_string(&provenance).unwrap();
        std::fs::write(provenance, text + "colour = \"{{colour}}\"\n").unwrap();
    });
    let report = fixture.upgrade();
    assert!(report.planned.is_empty(), "{}", report.render());
    let provenance = Provenance::read(&fixture.project).unwrap();
    assert_eq!(provenance.value("colour"), Some("blue"));
    assert_eq!(provenance.value("flavour"), Some("fancy"));
}
