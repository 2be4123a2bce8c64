//! The `.template.toml` format: what it reads, what it refuses, and that it round-trips.

use super::Provenance;

const GENERATED: &str = "\
# a comment
template = \"rest\"
version = \"0.1.0\"

[values]
project-name = \"orders\"
crate_name = \"orders\"
database = \"postgres\"
";

#[test]
fn a_generated_file_is_read() {
    let provenance = Provenance::parse(GENERATED).unwrap();
    assert_eq!(provenance.template, "rest");
    assert_eq!(provenance.template_dir(), "template-rest");
    assert_eq!(provenance.version, "0.1.0");
    assert_eq!(provenance.revision, None);
    assert_eq!(provenance.value("database"), Some("postgres"));
    assert_eq!(provenance.defines(), [("database".to_owned(), "postgres".to_owned())]);
}

#[test]
fn rendering_round_trips_with_and_without_a_revision() {
    let mut provenance = Provenance::parse(GENERATED).unwrap();
    assert_eq!(Provenance::parse(&provenance.render()).unwrap(), provenance);
    provenance.revision = Some("0123abc".to_owned());
    provenance.values.push(("quoted".to_owned(), "a \"b\" \\ c".to_owned()));
    provenance.values.push(("controls".to_owned(), "a\nb\tc\u{1}".to_owned()));
    let text = provenance.render();
    assert!(text.contains("revision = \"0123abc\"\n"), "{text}");
    assert!(text.contains("quoted = \"a \\\"b\\\" \\\\ c\"\n"), "{text}");
    assert_eq!(Provenance::parse(&text).unwrap(), provenance);
}

#[test]
fn every_template_renders_its_in_place_file_unchanged() {
    let root = crate::cmd::workspace_root();
    for dir in ["template-rest", "template-realtime", "template-microservice"] {
        let text = std::fs::read_to_string(root.join(dir).join(super::FILE)).unwrap();
        let provenance = Provenance::parse(&text).unwrap();
        assert_eq!(provenance.render(), text, "{dir}");
        assert_eq!(provenance.template_dir(), dir);
    }
}

#[test]
fn malformed_files_name_the_problem() {
    let cases = [
        ("template = \"rest\"\n", "`version` is missing"),
        ("version = \"1\"\n[values]\nproject-name = \"a\"\ncrate_name = \"a\"\n", "`template`"),
        ("template = \"r\"\nversion = \"1\"\n[values]\nproject-name = \"a\"\n", "`crate_name`"),
        ("template = \"r\"\nversion = \"1\"\nowner = \"me\"\n", "unknown field `owner`"),
        ("[other]\n", "unknown field `other`"),
        ("template = \"r\"\nversion = 1\n", "line 2"),
        ("[values]\nproject-name = 1\n", "the value of `project-name` is not a \"string\""),
        ("template = rest\n", "line 1"),
        ("template\n", "line 1"),
        ("bad key = \"x\"\n", "line 1"),
        ("template = \"a\\q\"\n", "line 1"),
        ("template = \"a\"b\"\n", "line 1"),
        ("template = \"a\"\ntemplate = \"b\"\n", "duplicate key"),
    ];
    for (text, expected) in cases {
        let error = Provenance::parse(text).unwrap_err();
        assert!(error.contains(expected) && !error.contains('\n'), "{text:?}: {error}");
    }
}

#[test]
fn a_missing_file_says_how_to_get_one() {
    let scratch = crate::upgrade::scratch::Scratch::new("provenance-test").unwrap();
    let error = Provenance::read(scratch.path()).unwrap_err().to_string();
    assert!(error.contains("has no provenance file .template.toml"), "{error}");
    assert!(error.contains("cargo xtask new"), "{error}");
    std::fs::write(scratch.path().join(super::FILE), "nonsense\n").unwrap();
    let error = Provenance::read(scratch.path()).unwrap_err().to_string();
    assert!(error.contains(".template.toml: line 1"), "{error}");
    let error = Provenance::read(&scratch.path().join("absent")).unwrap_err().to_string();
    assert!(error.ends_with("absent is not a directory"), "{error}");
}
