//! The Liquid subset and the twin comparison, on small fixtures.

use std::collections::HashMap;

use super::{
    first_difference, foreign_table, profiles, render, render_located, set_aside_workspace,
    without_workspace,
};

fn values() -> HashMap<String, String> {
    HashMap::from([
        ("project-name".to_owned(), "orders".to_owned()),
        ("crate_name".to_owned(), "orders".to_owned()),
        ("database".to_owned(), "postgres".to_owned()),
    ])
}

#[test]
fn variables_are_substituted() {
    let rendered = render("name = \"{{project-name}}\"\nuse {{ crate_name }};", &values()).unwrap();
    assert_eq!(rendered, "name = \"orders\"\nuse orders;");
}

#[test]
fn conditions_pick_one_branch() {
    let text = r#"[{% if database == "postgres" %}"postgres"{% else %}"sqlite"{% endif %}]"#;
    assert_eq!(render(text, &values()).unwrap(), r#"["postgres"]"#);
    let mut sqlite = values();
    sqlite.insert("database".into(), "sqlite".into());
    assert_eq!(render(text, &sqlite).unwrap(), r#"["sqlite"]"#);
    let elsif = r#"{% if database == "a" %}A{% elsif database == "postgres" %}P{% endif %}"#;
    assert_eq!(render(elsif, &values()).unwrap(), "P");
    let none = r#"{% if database == "a" %}A{% endif %}!"#;
    assert_eq!(render(none, &values()).unwrap(), "!");
    let not = r#"{% if database != "postgres" %}A{% elsif database != "a" %}B{% endif %}"#;
    assert_eq!(render(not, &values()).unwrap(), "B");
}

#[test]
fn raw_blocks_are_kept_verbatim() {
    let text = "run: {% raw %}${{ matrix.os }}{% endraw %} for {{project-name}}";
    assert_eq!(render(text, &values()).unwrap(), "run: ${{ matrix.os }} for orders");
}

#[test]
fn rust_braces_pass_through() {
    assert_eq!(render("fn f() { g() }", &values()).unwrap(), "fn f() { g() }");
}

#[test]
fn unknown_constructs_are_errors() {
    assert!(render("{{ missing }}", &values()).unwrap_err().contains("missing"));
    assert!(render("{% for x in y %}{% endfor %}", &values()).unwrap_err().contains("for"));
    assert!(render("{% if database %}x{% endif %}", &values()).is_err());
    assert!(render("{{ unclosed", &values()).is_err());
    for dead_branch in [
        r#"{% if database == "a" %}{{ unclosed{% endif %}"#,
        r#"{% if database == "postgres" %}x{% elsif database = "a" %}y{% endif %}"#,
        r#"{% if database == "postgres" %}x{% else %}{{ nobody }}{% endif %}"#,
    ] {
        assert!(render(dead_branch, &values()).is_err(), "{dead_branch}");
    }
    for looser_than_liquid in [
        "{% if database == postgres %}x{% endif %}",
        r#"{% if database == "a" and crate_name == "b" %}x{% endif %}"#,
        r#"{%- if database == "a" -%}x{% endif %}"#,
        "{{ crate_name | upcase }}",
    ] {
        assert!(render(looser_than_liquid, &values()).is_err(), "{looser_than_liquid}");
    }
}

#[test]
fn errors_name_the_line_of_their_construct() {
    let located = |text: &str| render_located(text, &values()).unwrap_err().0;
    assert_eq!(located("a\nb {{ nobody }}\nc"), 2);
    assert_eq!(located("a\n{% if database == \"x\" %}\nb\n{{ nobody }}\n{% endif %}"), 4);
    assert_eq!(located("a\n{% if database == \"x\" %}\nb\n{% elsif x = 1 %}\n{% endif %}"), 4);
    assert_eq!(located("a\n\n{% if database == \"x\" %}never closed"), 3);
    assert_eq!(located("{% raw %}\n{{ x }}"), 1);
    assert_eq!(located("a\n{%- if database == \"x\" %}{% endif %}"), 2);
}

#[test]
fn differences_are_located() {
    assert_eq!(first_difference("a\nb\nc", "a\nb\nc"), None);
    assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), Some(2));
    assert_eq!(first_difference("a\nb", "a\nb\nc"), Some(3));
}

#[test]
fn profiles_are_the_tail_of_a_manifest() {
    let manifest = "[package]\nname = \"x\"\n\n[profile.dev]\ndebug = 0\n";
    assert_eq!(profiles(manifest), "\n[profile.dev]\ndebug = 0\n");
    assert_eq!(profiles("[package]\n"), "");
}

#[test]
fn the_repository_templates_are_in_step() {
    let findings = super::check(&crate::cmd::workspace_root());
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn generated_profiles_must_come_from_the_root() {
    let root = "\n[profile.dev]\ndebug = 0\n\n# slow\n[profile.release]\nstrip = true\n";
    assert_eq!(foreign_table("\n[profile.release]\nstrip = true\n", root), None);
    assert_eq!(
        foreign_table("\n[profile.release]\nstrip = false\n", root),
        Some("[profile.release]".to_owned())
    );
    assert_eq!(foreign_table("\n[profile.bench]\n", root), Some("[profile.bench]".to_owned()));
}

#[test]
fn a_generated_workspace_table_is_set_aside() {
    let manifest = "[package]\nname = \"x\"\n\n[workspace]\nmembers = [\".\", \"cb\"]\n\n[profile.dev]\ndebug = 0\n";
    assert_eq!(without_workspace(manifest), "[package]\nname = \"x\"\n[profile.dev]\ndebug = 0\n");
    let last = "[package]\nname = \"x\"\n\n[workspace]\nmembers = [\".\"]\n";
    assert_eq!(without_workspace(last), "[package]\nname = \"x\"");
    assert_eq!(without_workspace("[package]\n"), "[package]\n");
    let plain = std::path::Path::new("t/Cargo.toml");
    assert_eq!(
        set_aside_workspace(plain, last.to_owned(), "[package]\n"),
        "[package]\nname = \"x\""
    );
    assert_eq!(set_aside_workspace(plain, last.to_owned(), "a\n[workspace]\n"), last);
    assert_eq!(set_aside_workspace(std::path::Path::new("README.md"), last.to_owned(), ""), last);
}
