//! The dependencies of a `MODULE.md` as `cargo add` commands: one command per dependency, with
//! the version, features, `default-features` and `optional` the template pins.
//!
//! A dependency the app already has keeps the app's version and default features (changing them
//! could break the app's own code); only the module's features are added to it. A dependency
//! the app already has as a normal one is not added again as a dev-dependency.

use std::path::Path;
use std::process::Command;

use crate::cmd;

/// Which table of the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Normal,
    Dev,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Self::Normal => "dependencies",
            Self::Dev => "dev-dependencies",
        }
    }
}

/// One dependency of a module, as its `MODULE.md` pins it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Dependency {
    /// Its name in the manifest.
    pub(crate) name: String,
    pub(crate) dev: bool,
    version: Option<String>,
    /// The crate's name on the registry, when the manifest renames it.
    package: Option<String>,
    /// A path, relative to the app's package directory (crate modules).
    path: Option<String>,
    features: Vec<String>,
    no_default_features: bool,
    optional: bool,
}

/// The keys of a dependency table that `add` knows how to carry over.
const KNOWN_KEYS: [&str; 6] =
    ["version", "package", "path", "features", "default-features", "optional"];

/// The dependencies and the `[features]` table of a `MODULE.md`'s TOML block.
pub(crate) fn parse(block: &str) -> Result<(Vec<Dependency>, toml::Table), String> {
    let table: toml::Table =
        block.parse().map_err(|error| format!("the ```toml block: {error}"))?;
    let mut dependencies = Vec::new();
    for section in [Section::Normal, Section::Dev] {
        let Some(entries) = table.get(section.key()) else { continue };
        let entries = entries.as_table().ok_or(format!("[{}] is not a table", section.key()))?;
        for (name, spec) in entries {
            let mut dependency = dependency(spec).map_err(|error| format!("{name}: {error}"))?;
            dependency.name.clone_from(name);
            dependency.dev = section == Section::Dev;
            dependencies.push(dependency);
        }
    }
    let features =
        table.get("features").and_then(toml::Value::as_table).cloned().unwrap_or_default();
    Ok((dependencies, features))
}

fn dependency(spec: &toml::Value) -> Result<Dependency, String> {
    if let Some(version) = spec.as_str() {
        return Ok(Dependency { version: Some(version.to_owned()), ..Dependency::default() });
    }
    let table = spec.as_table().ok_or("neither a version nor a table")?;
    if let Some(unknown) = table.keys().find(|key| !KNOWN_KEYS.contains(&key.as_str())) {
        return Err(format!("`{unknown}` is not supported; use {}", KNOWN_KEYS.join(", ")));
    }
    let text = |key: &str| table.get(key).and_then(toml::Value::as_str).map(str::to_owned);
    let flag = |key: &str| table.get(key).and_then(toml::Value::as_bool);
    let features = table.get("features").and_then(toml::Value::as_array).into_iter().flatten();
    Ok(Dependency {
        version: text("version"),
        package: text("package"),
        path: text("path"),
        features: features.filter_map(toml::Value::as_str).map(str::to_owned).collect(),
        no_default_features: flag("default-features") == Some(false),
        optional: flag("optional") == Some(true),
        ..Dependency::default()
    })
}

impl Dependency {
    /// The `cargo add` that brings this dependency into the package at `app`, whose manifest is
    /// `manifest`; `None` when the app has all of it already.
    pub(crate) fn command(&self, app: &Path, manifest: &toml::Table) -> Option<Command> {
        let has = |section: Section| {
            manifest.get(section.key()).and_then(|table| table.get(&self.name)).is_some()
        };
        let existing = has(Section::Normal) || (self.dev && has(Section::Dev));
        if existing && self.features.is_empty() {
            return None;
        }
        let mut command = cmd::cargo();
        command.arg("add").arg("--manifest-path").arg(app.join("Cargo.toml"));
        if self.dev {
            command.arg("--dev");
        }
        if !self.features.is_empty() {
            command.arg("--features").arg(self.features.join(","));
        }
        if existing {
            command.arg(&self.name);
            return Some(command);
        }
        self.new_dependency(app, &mut command);
        Some(command)
    }

    /// The same dependency at the version the template's `Cargo.lock` (`lock`) resolves its
    /// requirement to, if it locks one: `cargo add` checks features against the lowest version
    /// a requirement allows, so `uuid = "1"` with the `v7` feature, which came in a later 1.x,
    /// needs the version the template really builds with.
    pub(crate) fn locked(&self, lock: &toml::Table) -> Option<Self> {
        let requirement = self.version.as_deref()?;
        let krate = self.package.as_ref().unwrap_or(&self.name);
        let packages = lock.get("package").and_then(toml::Value::as_array).into_iter().flatten();
        let same_name = packages
            .filter(|package| package.get("name").and_then(toml::Value::as_str) == Some(krate));
        let versions =
            same_name.filter_map(|package| package.get("version").and_then(toml::Value::as_str));
        let mut matching = versions.filter(|version| {
            *version == requirement || version.starts_with(&format!("{requirement}."))
        });
        let version = matching.next_back()?.to_owned();
        Some(Self { version: Some(version), ..self.clone() })
    }

    /// The arguments of a dependency that the app does not have yet.
    fn new_dependency(&self, app: &Path, command: &mut Command) {
        match (&self.path, &self.version) {
            (Some(path), _) => command.arg("--path").arg(app.join(path)),
            (None, Some(version)) => {
                command.arg(format!("{}@{version}", self.package.as_ref().unwrap_or(&self.name)))
            }
            (None, None) => command.arg(self.package.as_ref().unwrap_or(&self.name)),
        };
        if self.package.is_some() {
            command.arg("--rename").arg(&self.name);
        }
        if self.no_default_features {
            command.arg("--no-default-features");
        }
        if self.optional {
            command.arg("--optional");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(command: &Command) -> Vec<String> {
        command.get_args().map(|arg| arg.to_string_lossy().into_owned()).skip(3).collect()
    }

    const BLOCK: &str = "[dependencies]\n\
        axum = { version = \"0.8\", default-features = false, features = [\"json\"] }\n\
        thiserror = \"2\"\n\
        utoipa = { version = \"6\", features = [\"uuid\"], optional = true }\n\
        circuit-breaker = { path = \"circuit-breaker\", features = [\"tokio\"] }\n\
        [dev-dependencies]\n\
        serde_json = \"1\"\n\
        [features]\n\
        openapi = [\"dep:utoipa\"]\n";

    #[test]
    fn each_dependency_becomes_one_cargo_add_with_its_pins() {
        let (dependencies, features) = parse(BLOCK).unwrap();
        assert_eq!(features.get("openapi").unwrap().as_array().unwrap().len(), 1);
        let app = Path::new("/app");
        let commands: Vec<Vec<String>> = dependencies
            .iter()
            .map(|dependency| args(&dependency.command(app, &toml::Table::new()).unwrap()))
            .collect();
        assert_eq!(commands[0], ["--features", "json", "axum@0.8", "--no-default-features"]);
        assert_eq!(commands[1], ["thiserror@2"]);
        assert_eq!(commands[2], ["--features", "uuid", "utoipa@6", "--optional"]);
        assert_eq!(commands[3], ["--features", "tokio", "--path", "/app/circuit-breaker"]);
        assert_eq!(commands[4], ["--dev", "serde_json@1"]);
    }

    #[test]
    fn what_the_app_has_keeps_its_version_and_gains_only_features() {
        let (dependencies, _) = parse(BLOCK).unwrap();
        let manifest: toml::Table =
            "[dependencies]\naxum = \"0.8\"\nthiserror = \"2\"\nserde_json = \"1\"\n"
                .parse()
                .unwrap();
        let app = Path::new("/app");
        let axum = dependencies[0].command(app, &manifest).unwrap();
        assert_eq!(args(&axum), ["--features", "json", "axum"]);
        assert!(dependencies[1].command(app, &manifest).is_none());
        assert!(
            dependencies[4].command(app, &manifest).is_none(),
            "a normal dependency serves the tests"
        );
    }

    #[test]
    fn a_requirement_resolves_to_the_version_the_template_locks() {
        let (dependencies, _) = parse(BLOCK).unwrap();
        let lock: toml::Table = "[[package]]\nname = \"thiserror\"\nversion = \"1.0.69\"\n\
            [[package]]\nname = \"thiserror\"\nversion = \"2.0.17\"\n\
            [[package]]\nname = \"axum\"\nversion = \"0.7.9\"\n"
            .parse()
            .unwrap();
        let thiserror = dependencies[1].locked(&lock).unwrap();
        let command = thiserror.command(Path::new("/app"), &toml::Table::new()).unwrap();
        assert_eq!(args(&command), ["thiserror@2.0.17"]);
        assert!(dependencies[0].locked(&lock).is_none(), "0.7.9 is not 0.8");
        assert!(dependencies[3].locked(&lock).is_none(), "a path has no version");
    }

    #[test]
    fn unknown_keys_and_bad_blocks_are_refused() {
        let error = parse("[dependencies]\nx = { git = \"https://example.com\" }\n").unwrap_err();
        assert!(error.starts_with("x: `git` is not supported"), "{error}");
        assert!(parse("[dependencies\n").unwrap_err().starts_with("the ```toml block"));
    }
}
