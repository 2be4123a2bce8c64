//! `.template.toml`: what a generated project was generated from.
//!
//! Each template renders the file with cargo-generate (`.template.toml.liquid`, listed in the
//! template's `[template] include`); `cargo xtask new` and `cargo xtask upgrade` add the
//! revision. The format is a small, fixed subset of TOML, read line by line:
//!
//! ```toml
//! template = "rest"                # the template, `template-rest` in the repository
//! version = "0.1.0"                # the template's release; tags are `v<version>`
//! revision = "2aec27d…"            # the repository's commit (absent after a plain generate)
//!
//! [values]
//! project-name = "orders"          # every placeholder value, as cargo-generate saw it
//! crate_name = "orders"
//! database = "sqlite"
//! ```

use std::path::Path;

use crate::cmd;

/// The file's name, at the root of a generated project.
pub(crate) const FILE: &str = ".template.toml";

/// The values every project has, derived by cargo-generate from `--name`.
const BUILT_IN_VALUES: [&str; 2] = ["project-name", "crate_name"];

const HEADER: &str = "\
# Where this project came from, read by `cargo xtask upgrade` (README.md, \"Upgrading\").
# `revision` is the template repository's commit: `cargo xtask new` and `upgrade` write it;
# after a plain `cargo generate` it is missing, and the first upgrade takes it from `--base`.
";

/// The contents of a `.template.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// The template's short name: `rest` for `template-rest`.
    pub template: String,
    /// The template's release.
    pub version: String,
    /// The repository's commit the project was generated from, when known.
    pub revision: Option<String>,
    /// Every placeholder value, in file order.
    pub values: Vec<(String, String)>,
}

impl Provenance {
    /// Reads `<project>/.template.toml`.
    ///
    /// # Errors
    /// Says that the file is missing, or where it is malformed.
    pub(crate) fn read(project: &Path) -> cmd::Result<Self> {
        if !project.is_dir() {
            return Err(cmd::Error::new(format!("{} is not a directory", project.display())));
        }
        let path = project.join(FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Err(cmd::Error::new(format!(
                "{} has no provenance file {FILE}: generate projects with `cargo xtask new`, or \
                 write the file by hand (see the README's \"Upgrading\" section)",
                project.display()
            )));
        };
        Self::parse(&text).map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))
    }

    /// Writes `<project>/.template.toml`.
    ///
    /// # Errors
    /// Fails when the file cannot be written.
    pub(crate) fn write(&self, project: &Path) -> cmd::Result {
        Ok(std::fs::write(project.join(FILE), self.render())?)
    }

    /// The template's directory in the repository: `template-rest`.
    pub(crate) fn template_dir(&self) -> String {
        format!("template-{}", self.template)
    }

    /// The value of one placeholder.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The values to pass as `-d name=value`: all but those cargo-generate derives from `--name`.
    pub(crate) fn defines(&self) -> Vec<(String, String)> {
        let derived = |key: &String| BUILT_IN_VALUES.contains(&key.as_str());
        self.values.iter().filter(|(key, _)| !derived(key)).cloned().collect()
    }

    /// The names every provenance file must have values for, besides the template's own.
    pub(crate) fn built_in_values() -> &'static [&'static str] {
        &BUILT_IN_VALUES
    }

    /// The file's text: the header comment, the keys, the values.
    pub(crate) fn render(&self) -> String {
        let mut text = String::from(HEADER);
        text.push_str(&line("template", &self.template));
        text.push_str(&line("version", &self.version));
        if let Some(revision) = &self.revision {
            text.push_str(&line("revision", revision));
        }
        text.push_str("\n[values]\n");
        for (key, value) in &self.values {
            text.push_str(&line(key, value));
        }
        text
    }

    /// Parses the file's text.
    ///
    /// # Errors
    /// Names the line that is not part of the format, or the key that is missing.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        let mut values = Vec::new();
        let mut in_values = false;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                in_values = table(line).map_err(|error| format!("line {}: {error}", index + 1))?;
                continue;
            }
            let pair = key_value(line).map_err(|error| format!("line {}: {error}", index + 1))?;
            if in_values { values.push(pair) } else { keys.push(pair) }
        }
        Self::from_parts(keys, values)
    }

    fn from_parts(
        keys: Vec<(String, String)>,
        values: Vec<(String, String)>,
    ) -> Result<Self, String> {
        let mut provenance =
            Self { template: String::new(), version: String::new(), revision: None, values };
        for (key, value) in keys {
            match key.as_str() {
                "template" => provenance.template = value,
                "version" => provenance.version = value,
                "revision" => provenance.revision = Some(value),
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        let missing = [("template", &provenance.template), ("version", &provenance.version)]
            .into_iter()
            .find(|(_, value)| value.is_empty());
        if let Some((key, _)) = missing {
            return Err(format!("`{key}` is missing"));
        }
        match BUILT_IN_VALUES.iter().find(|name| provenance.value(name).is_none()) {
            Some(name) => Err(format!("[values] has no `{name}`")),
            None => Ok(provenance),
        }
    }
}

/// Whether a table header opens `[values]`; any other table is an error.
fn table(line: &str) -> Result<bool, String> {
    if line == "[values]" {
        return Ok(true);
    }
    Err(format!("unknown table `{line}`; the only table is [values]"))
}

/// `key = "value"`, with `\"` and `\\` escapes.
fn key_value(line: &str) -> Result<(String, String), String> {
    let (key, value) = line.split_once('=').ok_or("expected `key = \"value\"`")?;
    let key = key.trim();
    let valid_key = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if key.is_empty() || !key.chars().all(valid_key) {
        return Err(format!("`{key}` is not a bare key"));
    }
    let quoted = value.trim();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or_else(|| format!("the value of `{key}` is not a \"string\""))?;
    Ok((key.to_owned(), unescape(inner)?))
}

fn unescape(inner: &str) -> Result<String, String> {
    let mut value = String::with_capacity(inner.len());
    let mut characters = inner.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => match characters.next() {
                Some(escaped @ ('"' | '\\')) => value.push(escaped),
                _ => return Err(format!("unsupported escape in \"{inner}\"")),
            },
            '"' => return Err(format!("unescaped quote in \"{inner}\"")),
            other => value.push(other),
        }
    }
    Ok(value)
}

fn line(key: &str, value: &str) -> String {
    format!("{key} = \"{}\"\n", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
#[path = "tests/provenance.rs"]
mod tests;
