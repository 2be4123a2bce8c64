//! Each refusal: a clear message, and not one byte written.

use super::{Fixture, git, write};
use crate::upgrade::Options;
use crate::upgrade::provenance::{FILE, Provenance};

/// Upgrades with `options`, expects a refusal containing `expected`, and checks that the
/// project did not change.
fn refused(fixture: &Fixture, options: Options, expected: &str) {
    let before = fixture.tree();
    let error = fixture.upgrade_with(options).unwrap_err().to_string();
    assert!(error.contains(expected), "{error}");
    assert_eq!(fixture.tree(), before, "a refusal writes nothing");
}

fn template_change(fixture: &Fixture) {
    fixture.commit_template(|template| write(&template.join("new.txt"), b"new\n"));
}

#[test]
fn a_project_without_a_provenance_file_is_refused() {
    let fixture = Fixture::new();
    template_change(&fixture);
    fixture.commit_project(|project| std::fs::remove_file(project.join(FILE)).unwrap());
    refused(&fixture, Options::default(), "has no provenance file .template.toml");
}

#[test]
fn uncommitted_changes_tracked_or_untracked_are_refused_unless_forced() {
    let fixture = Fixture::new();
    template_change(&fixture);
    write(&fixture.project.join("notes.txt"), b"edited, not committed\n");
    refused(&fixture, Options::default(), "has uncommitted changes; commit or stash them first");
    git(&fixture.project, &["checkout", "--", "notes.txt"]);
    write(&fixture.project.join("scratch.txt"), b"untracked\n");
    refused(&fixture, Options::default(), "?? scratch.txt");
    let report = fixture.upgrade_with(Options { force: true, ..Options::default() }).unwrap();
    assert_eq!(report.planned.len(), 1);
    assert!(fixture.project.join("new.txt").is_file());
}

#[test]
fn a_recorded_revision_missing_from_the_clone_is_refused() {
    let fixture = Fixture::new();
    template_change(&fixture);
    fixture.commit_project(|project| {
        let mut provenance = Provenance::read(project).unwrap();
        provenance.revision = Some("0123456789abcdef0123456789abcdef01234567".to_owned());
        provenance.write(project).unwrap();
    });
    refused(
        &fixture,
        Options::default(),
        "revision 0123456789abcdef0123456789abcdef01234567 is not in",
    );
    let to = Options {
        to: Some("no-such-branch".to_owned()),
        base: Some("HEAD".to_owned()),
        ..Options::default()
    };
    refused(&fixture, to, "--to no-such-branch: no such revision");
}

#[test]
fn a_plain_generate_records_no_revision_and_the_first_upgrade_takes_it_from_base() {
    let fixture = Fixture::new();
    let generated_at = fixture.head();
    git(&fixture.repository, &["tag", "v0.1.0"]);
    template_change(&fixture);
    fixture.commit_project(|project| {
        let mut provenance = Provenance::read(project).unwrap();
        provenance.revision = None;
        provenance.write(project).unwrap();
    });
    refused(
        &fixture,
        Options::default(),
        "records no revision (a plain `cargo generate`): pass the commit it was generated from with --base <rev> (it says version 0.1.0: if it came from that release, --base v0.1.0)",
    );
    let report = fixture
        .upgrade_with(Options { base: Some(generated_at.clone()), ..Options::default() })
        .unwrap();
    assert_eq!(report.from, generated_at);
    assert!(fixture.project.join("new.txt").is_file());
    assert_eq!(Provenance::read(&fixture.project).unwrap().revision, Some(fixture.head()));
}

#[test]
fn a_project_generated_from_a_dirty_template_records_no_revision() {
    let fixture = Fixture::new();
    write(&fixture.repository.join("template-mini/notes.txt"), b"uncommitted\n");
    let message =
        crate::upgrade::record_new_project(&fixture.repository, "template-mini", &fixture.project)
            .unwrap();
    assert!(message.starts_with("warning: template-mini has uncommitted changes"), "{message}");
    assert!(message.contains("needs --base"), "{message}");
}
