//! The `template-renders` gate on a fixture template that breaks, and on the repository.

use super::*;
use crate::generation::templates;

const FIXTURE: &str = "xtask/tests/fixtures/renders/template-broken";

fn fixture() -> Template {
    let root = crate::cmd::workspace_root();
    let manifest = std::fs::read_to_string(root.join(FIXTURE).join("cargo-generate.toml")).unwrap();
    Template {
        dir: FIXTURE.to_owned(),
        placeholders: crate::generation::discover_placeholders(&manifest),
    }
}

#[test]
fn unclosed_tags_are_findings_even_in_branches_the_defaults_do_not_take() {
    let findings = check_template(&crate::cmd::workspace_root(), &fixture());
    let found: Vec<String> = findings.iter().map(ToString::to_string).collect();
    let with_defaults = "template-renders: does not render with the in-place values";
    assert_eq!(
        found,
        [
            format!("{FIXTURE}/README.md:3: {with_defaults}: unclosed {{{{"),
            format!("{FIXTURE}/docs/dead.md:4: {with_defaults}: unclosed {{{{"),
            format!("{FIXTURE}/docs/unclosed.md:3: {with_defaults}: unclosed {{% if %}}"),
        ]
    );
    assert!(findings.iter().all(|finding| finding.rule == RULE));
}

#[test]
fn each_other_choice_is_tried_once_with_the_rest_in_place() {
    let sets = value_sets(&crate::cmd::workspace_root(), &fixture());
    let labels: Vec<&str> = sets.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, ["the in-place values", "mode=fancy"]);
    assert_eq!(sets[0].1["mode"], "plain");
    assert_eq!(sets[1].1["mode"], "fancy");
    assert_eq!(sets[1].1["project-name"], "template-broken");
}

#[test]
fn include_patterns_read_as_gitignore_patterns() {
    assert!(matches("README.md", "README.md"));
    assert!(matches("README.md", "variants/nats/README.md"));
    assert!(matches("Cargo.toml", "circuit-breaker/Cargo.toml"));
    assert!(matches("deploy/kubernetes/*.yaml", "deploy/kubernetes/hpa.yaml"));
    assert!(!matches("deploy/kubernetes/*.yaml", "deploy/kubernetes/extra/hpa.yaml"));
    assert!(!matches("deploy/kubernetes/*.yaml", "x/deploy/kubernetes/hpa.yaml"));
    assert!(matches("/Cargo.toml", "Cargo.toml") && !matches("/Cargo.toml", "cb/Cargo.toml"));
    assert!(matches("src", "src/main.rs") && matches("docs/", "docs/a.md"));
    assert!(!matches("docs/", "docs") && !matches("src/main.rs", "src/main.rs.bak"));
    assert!(matches("?ockerfile", "Dockerfile") && matches("*", "anything/at/all"));
}

#[test]
fn twins_and_the_files_they_replace_are_left_to_template_twins() {
    let listing: Vec<PathBuf> =
        ["t/Cargo.toml", "t/Cargo.toml.liquid", "t/README.md", "t/src/lib.rs"]
            .iter()
            .map(PathBuf::from)
            .collect();
    let patterns = ["Cargo.toml".to_owned(), "README.md".to_owned()];
    let files = rendered_files(Path::new("t"), &listing, &patterns).unwrap();
    assert_eq!(files, [PathBuf::from("t/README.md")]);
    for pattern in ["src/**/*.rs", "!README.md", "[ab].md"] {
        let error = rendered_files(Path::new("t"), &listing, &[pattern.to_owned()]).unwrap_err();
        assert!(error.contains(pattern), "{error}");
    }
}

#[test]
fn every_repository_template_renders_its_readme_and_deployment_files() {
    let root = crate::cmd::workspace_root();
    assert_eq!(check(&root), Vec::new());
    let rest = templates(&root).unwrap().into_iter().find(|t| t.dir == "template-rest").unwrap();
    let manifest = std::fs::read_to_string(root.join("template-rest/cargo-generate.toml")).unwrap();
    let listing = git_ls_files(&root, &["template-rest"]).unwrap();
    let files =
        rendered_files(Path::new(&rest.dir), &listing, &string_list(&manifest, "include")).unwrap();
    for expected in ["README.md", "Dockerfile", ".github/workflows/ci.yml", "compose.yaml"] {
        assert!(
            files.contains(&Path::new("template-rest").join(expected)),
            "{expected}: {files:?}"
        );
    }
    assert!(files.contains(&PathBuf::from("template-rest/deploy/kubernetes/hpa.yaml")));
    assert!(!files.contains(&PathBuf::from("template-rest/Cargo.toml")), "{files:?}");
    assert!(!files.contains(&PathBuf::from("template-rest/Cargo.toml.liquid")), "{files:?}");
    assert!(!files.contains(&PathBuf::from("template-rest/src/lib.rs")), "{files:?}");
}
