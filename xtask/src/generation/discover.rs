//! Finds the templates and their placeholder values in the `cargo-generate.toml` files.
//!
//! Read with the `toml` crate: the root file's `[template] sub_templates`, and in each template
//! the `choices` and `default` of every `[placeholders.NAME]`, in file order.

use std::path::Path;

use serde::Deserialize;

use crate::cmd;
use crate::finding::Finding;

/// The parts of a `cargo-generate.toml` that xtask reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Manifest {
    template: TemplateTable,
    /// Each `[placeholders.NAME]` table, in file order.
    placeholders: toml::Table,
}

/// `[template]`: the list of templates, in the root file.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateTable {
    sub_templates: Vec<String>,
}

/// One `[placeholders.NAME]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlaceholderTable {
    choices: Vec<String>,
    default: Option<String>,
}

/// Parses a `cargo-generate.toml`.
fn parse(text: &str) -> Result<Manifest, String> {
    toml::from_str(text).map_err(|error| error.to_string())
}

/// A template and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Directory under the repository root, such as `template-rest`.
    pub(crate) dir: String,
    /// Placeholders with a fixed set of choices.
    pub(crate) placeholders: Vec<Placeholder>,
}

/// One placeholder and every value it can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Its name, as passed with `-d name=value`.
    pub(crate) name: String,
    /// Every choice.
    pub(crate) choices: Vec<String>,
    /// The value used when none is given.
    pub(crate) default: Option<String>,
}

impl Template {
    /// The name without the `template-` prefix: `rest`, `realtime`.
    #[must_use]
    pub(crate) fn short_name(&self) -> &str {
        self.dir.strip_prefix("template-").unwrap_or(&self.dir)
    }

    /// Every combination of placeholder values, as `(name, value)` lists.
    #[must_use]
    pub(crate) fn combinations(&self) -> Vec<Vec<(String, String)>> {
        let mut combinations = vec![Vec::new()];
        for placeholder in &self.placeholders {
            combinations = combinations
                .into_iter()
                .flat_map(|prefix| {
                    placeholder.choices.iter().map(move |choice| {
                        let mut next = prefix.clone();
                        next.push((placeholder.name.clone(), choice.clone()));
                        next
                    })
                })
                .collect();
        }
        combinations
    }
}

/// The findings of `check` on every template of the repository at `root`, or one finding of
/// `rule` when the templates cannot be read: how a gate that looks at each template begins.
pub(crate) fn check_each_template(
    root: &Path,
    rule: &'static str,
    check: impl Fn(&Path, &Template) -> Vec<Finding>,
) -> Vec<Finding> {
    let Ok(templates) = templates(root) else {
        return vec![Finding::new("cargo-generate.toml", 1, rule, "cannot read the templates")];
    };
    templates.iter().flat_map(|template| check(root, template)).collect()
}

/// Every template listed in the root `cargo-generate.toml`.
///
/// # Errors
/// Fails when a file is missing or is not valid TOML, or when the root lists no templates.
pub fn templates(root: &Path) -> cmd::Result<Vec<Template>> {
    let dirs = read(&root.join("cargo-generate.toml"))?.template.sub_templates;
    if dirs.is_empty() {
        return Err(cmd::Error::new("cargo-generate.toml lists no sub_templates"));
    }
    dirs.into_iter()
        .map(|dir| {
            let manifest = read(&root.join(&dir).join("cargo-generate.toml"))?;
            Ok(Template { placeholders: from_tables(manifest.placeholders), dir })
        })
        .collect()
}

fn read(path: &Path) -> cmd::Result<Manifest> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
    parse(&text).map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))
}

/// The placeholders of one template file that have `choices`; none when it is not valid TOML
/// ([`templates`] reports that).
#[must_use]
pub fn placeholders(manifest: &str) -> Vec<Placeholder> {
    parse(manifest).map(|manifest| from_tables(manifest.placeholders)).unwrap_or_default()
}

fn from_tables(tables: toml::Table) -> Vec<Placeholder> {
    tables
        .into_iter()
        .filter_map(|(name, table)| {
            let PlaceholderTable { choices, default } = table.try_into().ok()?;
            (!choices.is_empty()).then_some(Placeholder { name, choices, default })
        })
        .collect()
}

/// The strings of `[template] KEY` (`include`, `sub_templates`); none when the file is not
/// valid TOML or has no such list.
#[must_use]
pub fn string_list(manifest: &str, key: &str) -> Vec<String> {
    let Ok(manifest) = manifest.parse::<toml::Table>() else {
        return Vec::new();
    };
    let list = manifest.get("template").and_then(|table| table.get(key));
    let items = list.and_then(toml::Value::as_array).into_iter().flatten();
    items.filter_map(toml::Value::as_str).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[template]
include = ["Cargo.toml"]

[placeholders.database]
type = "string"
choices = ["sqlite", "postgres"]
default = "sqlite"

[placeholders.cache]
choices = [
    "none",
    "redis",
]
"#;

    #[test]
    fn placeholders_and_choices_are_read() {
        let found = placeholders(MANIFEST);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "database");
        assert_eq!(found[0].choices, ["sqlite", "postgres"]);
        assert_eq!(found[0].default.as_deref(), Some("sqlite"));
        assert_eq!(found[1].choices, ["none", "redis"]);
    }

    #[test]
    fn combinations_cover_the_product() {
        let template = Template { dir: "template-x".into(), placeholders: placeholders(MANIFEST) };
        let combinations = template.combinations();
        assert_eq!(combinations.len(), 4);
        assert!(combinations.contains(&vec![
            ("database".into(), "postgres".into()),
            ("cache".into(), "redis".into()),
        ]));
        assert_eq!(template.short_name(), "x");
    }

    #[test]
    fn template_lists_are_read_and_a_broken_file_has_none() {
        assert_eq!(string_list(MANIFEST, "include"), ["Cargo.toml"]);
        // The line reader took the first `include` of the text, comments and other tables too.
        let commented =
            "# include = [\"x\"]\n[hooks]\ninclude = [\"y\"]\n[template]\ninclude = [\"z\"]\n";
        assert_eq!(string_list(commented, "include"), ["z"]);
        assert_eq!(string_list(MANIFEST, "sub_templates"), Vec::<String>::new());
        assert!(placeholders("[placeholders.x\nchoices = [\"a\"]").is_empty());
        assert!(string_list("include = [\"x\"", "include").is_empty());
    }

    #[test]
    fn a_broken_root_file_is_an_error_that_names_it() {
        let scratch = std::env::temp_dir().join(format!("xtask-discover-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        std::fs::write(scratch.join("cargo-generate.toml"), "[template\n").unwrap();
        let error = templates(&scratch).unwrap_err().to_string();
        std::fs::remove_dir_all(&scratch).unwrap();
        assert!(error.contains("cargo-generate.toml") && error.contains("line 1"), "{error}");
    }

    #[test]
    fn templates_without_placeholders_have_one_combination() {
        let template = Template { dir: "template-y".into(), placeholders: Vec::new() };
        assert_eq!(template.combinations(), vec![Vec::new()]);
    }

    #[test]
    fn the_repository_lists_every_template() {
        let templates = templates(&cmd::workspace_root()).unwrap();
        let dirs: Vec<_> = templates.iter().map(|template| template.dir.as_str()).collect();
        assert_eq!(dirs, ["template-rest", "template-realtime", "template-microservice"]);
    }
}
