//! `.template.toml`: what a generated project was generated from.
//!
//! Each template renders the file with cargo-generate (`.template.toml.liquid`, listed in the
//! template's `[template] include`); `cargo xtask new` and `cargo xtask upgrade` add the
//! revision. The format is TOML with these keys only, read with the `toml` crate:
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

use serde::Deserialize;

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
    pub(crate) template: String,
    /// The template's release.
    pub(crate) version: String,
    /// The repository's commit the project was generated from, when known.
    pub(crate) revision: Option<String>,
    /// Every placeholder value, in file order.
    pub(crate) values: Vec<(String, String)>,
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
    /// The TOML error (with its line), an unknown key or table, a value that is not a string,
    /// or the key that is missing.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|error| located(text, &error))?;
        let values = file
            .values
            .into_iter()
            .map(|(key, value)| match value {
                toml::Value::String(value) => Ok((key, value)),
                _ => Err(format!("the value of `{key}` is not a \"string\"")),
            })
            .collect::<Result<Vec<_>, String>>()?;
        let missing = |key: &str| format!("`{key}` is missing");
        let template = file.template.ok_or_else(|| missing("template"))?;
        let version = file.version.ok_or_else(|| missing("version"))?;
        let provenance = Self { template, version, revision: file.revision, values };
        match BUILT_IN_VALUES.iter().find(|name| provenance.value(name).is_none()) {
            Some(name) => Err(format!("[values] has no `{name}`")),
            None => Ok(provenance),
        }
    }
}

/// The file as TOML: the keys, and `[values]` in file order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    template: Option<String>,
    version: Option<String>,
    revision: Option<String>,
    #[serde(default)]
    values: toml::Table,
}

/// The `toml` crate's error as `line N: message` (its own text quotes the line under a caret).
fn located(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => format!("line {}: {message}", text[..span.start].matches('\n').count() + 1),
        None => message.to_owned(),
    }
}

/// `key = "value"`, escaped as a TOML basic string.
fn line(key: &str, value: &str) -> String {
    let mut quoted = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            control if control.is_control() => {
                quoted.extend(format!("\\u{:04X}", u32::from(control)).chars());
            }
            other => quoted.push(other),
        }
    }
    format!("{key} = \"{quoted}\"\n")
}

#[cfg(test)]
mod tests;
