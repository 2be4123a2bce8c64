//! Gate `template-provenance`: every template records where its projects come from, in the
//! format `cargo xtask upgrade` reads.
//!
//! For each template: `.template.toml.liquid` exists (the `template-twins` gate then holds it
//! to the in-place `.template.toml`), `[template] include` lists `.template.toml` (cargo-generate
//! 0.23.14 renders only the files listed there), and the in-place file parses, is written the
//! way [`Provenance::render`] writes it, names the template, records no revision, and has a
//! value for `project-name`, `crate_name` and every placeholder of `cargo-generate.toml`.

use std::path::{Path, PathBuf};

use super::provenance::{FILE, Provenance};
use crate::finding::Finding;
use crate::generation::{Template, check_each_template, string_list};

const RULE: &str = "template-provenance";

/// The findings of every template of the repository at `root`.
#[must_use]
pub(crate) fn check(root: &Path) -> Vec<Finding> {
    check_each_template(root, RULE, check_template)
}

fn check_template(root: &Path, template: &Template) -> Vec<Finding> {
    let dir = PathBuf::from(&template.dir);
    let mut findings = Vec::new();
    let liquid = dir.join(format!("{FILE}.liquid"));
    if !root.join(&liquid).is_file() {
        findings.push(Finding::new(
            &liquid,
            1,
            RULE,
            "is missing: projects would not record where they came from",
        ));
    }
    let manifest =
        std::fs::read_to_string(root.join(&dir).join("cargo-generate.toml")).unwrap_or_default();
    if !string_list(&manifest, "include").iter().any(|file| file == FILE) {
        let message =
            format!("`[template] include` does not list {FILE}, so it would not be rendered");
        findings.push(Finding::new(dir.join("cargo-generate.toml"), 1, RULE, message));
    }
    let in_place = dir.join(FILE);
    let problems = match std::fs::read_to_string(root.join(&in_place)) {
        Ok(text) => problems(&text, template),
        Err(error) => vec![format!("cannot be read: {error}")],
    };
    findings.extend(problems.into_iter().map(|problem| Finding::new(&in_place, 1, RULE, problem)));
    findings
}

/// What is wrong with a template's in-place provenance file.
fn problems(text: &str, template: &Template) -> Vec<String> {
    let provenance = match Provenance::parse(text) {
        Ok(provenance) => provenance,
        Err(error) => return vec![error],
    };
    let mut problems = Vec::new();
    if provenance.template_dir() != template.dir {
        problems.push(format!(
            "names template `{}`, not `{}`",
            provenance.template,
            template.short_name()
        ));
    }
    if provenance.revision.is_some() {
        problems.push("records a revision: only generated projects have one".to_owned());
    }
    if provenance.render() != text {
        problems.push(
            "is not laid out as `cargo xtask upgrade` writes it (comments, order, quoting)"
                .to_owned(),
        );
    }
    problems.extend(missing_or_extra_values(&provenance, template));
    problems
}

/// A problem when the `[values]` names are not exactly the built-in ones and the template's
/// placeholders.
fn missing_or_extra_values(provenance: &Provenance, template: &Template) -> Option<String> {
    let placeholders = template.placeholders.iter().map(|placeholder| placeholder.name.as_str());
    let mut expected: Vec<&str> =
        Provenance::built_in_values().iter().copied().chain(placeholders).collect();
    let mut found: Vec<&str> = provenance.values.iter().map(|(name, _)| name.as_str()).collect();
    expected.sort_unstable();
    found.sort_unstable();
    (expected != found).then(|| format!("[values] has {found:?}; the template has {expected:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::discover_placeholders;

    fn rest() -> Template {
        let manifest = "[placeholders.database]\nchoices = [\"sqlite\", \"postgres\"]\n";
        Template { dir: "template-rest".to_owned(), placeholders: discover_placeholders(manifest) }
    }

    #[test]
    fn the_repository_templates_record_their_provenance() {
        let findings = check(&crate::cmd::workspace_root());
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn each_problem_of_an_in_place_file_is_named() {
        let good =
            std::fs::read_to_string(crate::cmd::workspace_root().join("template-rest").join(FILE))
                .unwrap();
        assert_eq!(problems(&good, &rest()), Vec::<String>::new());
        let cases = [
            (good.replace("\"rest\"", "\"other\""), "names template `other`"),
            (
                good.replace("version = \"0.1.0\"\n", "version = \"0.1.0\"\nrevision = \"abc\"\n"),
                "records a revision",
            ),
            (good.replace("# Where", "#Where"), "is not laid out"),
            (good.replace("database = \"sqlite\"\n", ""), "[values] has"),
            (good.replace("template = ", "name = "), "unknown field `name`"),
        ];
        for (text, expected) in cases {
            let found = problems(&text, &rest());
            assert!(
                found.iter().any(|problem| problem.contains(expected)),
                "{expected}: {found:?}"
            );
        }
    }
}
