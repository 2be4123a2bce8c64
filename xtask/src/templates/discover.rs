//! Finds the templates and their placeholder values in the `cargo-generate.toml` files.
//!
//! The files are small and regular, so a line-based reader is enough: the root file's
//! `sub_templates` list, and in each template the `choices` of every `[placeholders.NAME]`.

use std::path::Path;

use crate::cmd;

/// A template and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Directory under the repository root, such as `template-rest`.
    pub dir: String,
    /// Placeholders with a fixed set of choices.
    pub placeholders: Vec<Placeholder>,
}

/// One placeholder and every value it can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Its name, as passed with `-d name=value`.
    pub name: String,
    /// Every choice.
    pub choices: Vec<String>,
    /// The value used when none is given.
    pub default: Option<String>,
}

impl Template {
    /// The name without the `template-` prefix: `rest`, `realtime`.
    #[must_use]
    pub fn short_name(&self) -> &str {
        self.dir.strip_prefix("template-").unwrap_or(&self.dir)
    }

    /// Every combination of placeholder values, as `(name, value)` lists.
    #[must_use]
    pub fn combinations(&self) -> Vec<Vec<(String, String)>> {
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

/// Every template listed in the root `cargo-generate.toml`.
///
/// # Errors
/// Fails when a file is missing or lists no templates.
pub fn templates(root: &Path) -> cmd::Result<Vec<Template>> {
    let manifest = std::fs::read_to_string(root.join("cargo-generate.toml"))?;
    let dirs = string_list(&manifest, "sub_templates");
    if dirs.is_empty() {
        return Err(cmd::Error::new("cargo-generate.toml lists no sub_templates"));
    }
    dirs.into_iter()
        .map(|dir| {
            let text = std::fs::read_to_string(root.join(&dir).join("cargo-generate.toml"))?;
            Ok(Template { placeholders: placeholders(&text), dir })
        })
        .collect()
}

/// The placeholders of one template file that have `choices`.
#[must_use]
pub fn placeholders(manifest: &str) -> Vec<Placeholder> {
    sections(manifest)
        .into_iter()
        .filter_map(|(header, body)| {
            let name = header.strip_prefix("[placeholders.")?.strip_suffix(']')?;
            let choices = string_list(body, "choices");
            let default = string_value(body, "default");
            (!choices.is_empty()).then(|| Placeholder { name: name.to_owned(), choices, default })
        })
        .collect()
}

/// `(header line, text up to the next header)` for every `[table]` of a TOML file.
fn sections(manifest: &str) -> Vec<(&str, &str)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in manifest.split_inclusive('\n') {
        if line.trim_start().starts_with('[') && !line.trim_start().starts_with("[[") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(manifest.len());
    starts
        .windows(2)
        .map(|pair| {
            let text = &manifest[pair[0]..pair[1]];
            let (header, body) = text.split_once('\n').unwrap_or((text, ""));
            (header.trim(), body)
        })
        .collect()
}

/// The string of `key = "value"` on a line of its own.
fn string_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        (name.trim() == key).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The strings of `key = ["a", "b"]`, which may span lines.
pub fn string_list(text: &str, key: &str) -> Vec<String> {
    let Some(start) = text.find(key) else {
        return Vec::new();
    };
    let rest = &text[start..];
    let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else {
        return Vec::new();
    };
    rest[open + 1..close]
        .split(',')
        .map(|item| item.trim().trim_matches('"').to_owned())
        .filter(|item| !item.is_empty())
        .collect()
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
