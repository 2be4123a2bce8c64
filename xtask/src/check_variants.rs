//! `cargo xtask check-variants`: clippy on every form of the templates, in minutes rather than
//! the full `templates` stage, for the code under `template-*/variants/` that no crate of the
//! workspace compiles in place (the PostgreSQL repository of template-rest, the Redis and NATS
//! brokers of template-realtime).
//!
//! Each form (every value of each placeholder) is generated with the real `cargo generate`, as
//! `cargo xtask templates` does, into a scratch directory; then `cargo clippy --all-targets
//! --quiet -- -D warnings` runs in it. Every form builds into `<target>/generated`, the directory
//! `templates` uses, so the dependencies compile once and a second run only checks the generated
//! crates. The pre-commit hook runs it for the templates that [`affected`] names.

use std::path::{Path, PathBuf};

use crate::generation::{
    CARGO_GENERATE_VERSION, Generation, Step, Template, cargo_generate_version, generate, templates,
};
use crate::{checks, cmd};

const USAGE: &str = "usage: cargo xtask check-variants [--only TEMPLATE]";

/// What a form of a template compiles, relative to the template: its code, tests and examples,
/// the variant files that replace some of them, the manifests and the generation hooks.
const COMPILED: [&str; 8] = [
    "src/",
    "tests/",
    "examples/",
    "variants/",
    "hooks/",
    "Cargo.toml",
    "Cargo.toml.liquid",
    "cargo-generate.toml",
];

/// Command-line options.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Options {
    /// Only this template (`realtime`, or `template-realtime`).
    only: Option<String>,
}

impl Options {
    /// Parses `[--only TEMPLATE]`.
    pub(crate) fn from_args(args: &[String]) -> cmd::Result<Self> {
        match args {
            [] => Ok(Self::default()),
            [flag, value] if flag == "--only" => Ok(Self { only: Some(value.clone()) }),
            _ => Err(cmd::Error::new(USAGE)),
        }
    }
}

/// Checks every form of the selected templates.
pub(crate) fn run(options: &Options) -> cmd::Result {
    let root = cmd::workspace_root();
    let mut selected = templates(&root)?;
    if let Some(only) = options.only.as_deref() {
        selected.retain(|template| template.dir == only || template.short_name() == only);
        if selected.is_empty() {
            return Err(cmd::Error::new(format!("no template is named `{only}`")));
        }
    }
    check(&root, &selected)
}

/// Generates every form of `selected` and runs clippy in it, printing each form's times; fails
/// after trying them all when any failed.
fn check(root: &Path, selected: &[Template]) -> cmd::Result {
    if cargo_generate_version().is_none() {
        let install = format!("cargo install cargo-generate --version {CARGO_GENERATE_VERSION}");
        return Err(cmd::Error::new(format!("cargo-generate is missing: {install} --locked")));
    }
    let scratch = std::env::temp_dir().join("xtask-check-variants");
    let target_dir = checks::target_dir().join("generated");
    let mut failures = Vec::new();
    for template in selected {
        for defines in template.combinations() {
            let values: Vec<&str> = defines.iter().map(|(_, value)| value.as_str()).collect();
            let label = format!("{} {}", template.dir, values.join(" ")).trim_end().to_owned();
            let name = format!("variants-{}-{}", template.short_name(), values.join("-"));
            let generation = Generation {
                template: &root.join(&template.dir),
                name: name.trim_end_matches('-'),
                defines: &defines,
                destination: &scratch,
            };
            if let Err(error) = check_form(&label, &generation, &target_dir) {
                failures.push(format!("{label}: {error}"));
            }
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(cmd::Error::new(format!("{} form(s) failed:\n{}", failures.len(), failures.join("\n"))))
}

/// Generates one form and lints it, printing how long each took.
fn check_form(label: &str, generation: &Generation<'_>, target_dir: &Path) -> cmd::Result {
    let (project, generating) = cmd::timed(|| generate(generation));
    let project = project?;
    let (linted, linting) = cmd::timed(|| Step::Clippy.run(&project, target_dir));
    let verdict = if linted.is_ok() { "ok" } else { "FAILED" };
    let (generating, linting) = (cmd::format_duration(generating), cmd::format_duration(linting));
    println!("check-variants: {label}: generate {generating}, clippy {linting}: {verdict}");
    linted
}

/// What the pre-commit hook runs: [`check`] on the templates with variants that `staged` (paths
/// relative to `root`) can break, if any.
pub(crate) fn for_staged(root: &Path, staged: &[PathBuf]) -> cmd::Result {
    let all = templates(root)?;
    let with = with_variants(root, &all);
    let dirs = affected(&with, staged);
    if dirs.is_empty() {
        println!("pre-commit: no staged change reaches a template's variants");
        return Ok(());
    }
    let chosen: Vec<Template> =
        all.into_iter().filter(|template| dirs.contains(&template.dir.as_str())).collect();
    check(root, &chosen)
}

/// The templates among `with_variants` (directories such as `template-realtime`) that one of
/// the `staged` paths (relative to the repository root) can break: those with a staged change
/// in what their forms compile ([`COMPILED`]).
fn affected<'a>(with_variants: &'a [String], staged: &[PathBuf]) -> Vec<&'a str> {
    let touches = |dir: &str, path: &Path| {
        let Ok(inside) = path.strip_prefix(dir) else { return false };
        let inside = inside.to_string_lossy().replace('\\', "/");
        COMPILED.iter().any(|compiled| match compiled.strip_suffix('/') {
            Some(folder) => inside.starts_with(compiled) || inside == folder,
            None => inside == *compiled,
        })
    };
    let dirs = with_variants.iter().map(String::as_str);
    dirs.filter(|dir| staged.iter().any(|path| touches(dir, path))).collect()
}

/// The templates of `all` that have a `variants/` directory.
fn with_variants(root: &Path, all: &[Template]) -> Vec<String> {
    let dirs = all.iter().map(|template| template.dir.clone());
    dirs.filter(|dir| root.join(dir).join("variants").is_dir()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn only_narrows_and_anything_else_is_refused() {
        assert_eq!(Options::from_args(&[]).unwrap(), Options::default());
        let only = Options::from_args(&args(&["--only", "realtime"])).unwrap();
        assert_eq!(only.only.as_deref(), Some("realtime"));
        for bad in [&["--only"][..], &["--repeat", "2"], &["realtime"], &["--only", "a", "b"]] {
            assert!(Options::from_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn staged_changes_to_compiled_files_select_their_template() {
        let with = args(&["template-realtime", "template-rest"]);
        let affected_by = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            affected(&with, &paths).into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        assert_eq!(affected_by(&["template-realtime/src/broker/mod.rs"]), ["template-realtime"]);
        let postgres = "template-rest/variants/postgres/.sqlx/query-1.json";
        assert_eq!(affected_by(&[postgres]), ["template-rest"]);
        assert_eq!(affected_by(&["template-rest/Cargo.toml.liquid"]), ["template-rest"]);
        assert_eq!(
            affected_by(&["template-rest/tests/api.rs", "template-realtime/hooks/pre.rhai"]),
            ["template-realtime", "template-rest"]
        );
        let untouched = ["template-rest/README.md", "template-rest/deploy/k8s.yaml", "xtask/a.rs"];
        assert!(affected_by(&untouched).is_empty());
        assert!(
            affected_by(&["template-rest/srcs/a.rs", "template-microservice/src/a.rs"]).is_empty()
        );
    }

    #[test]
    fn only_templates_with_variants_have_them_checked() {
        let root = cmd::workspace_root();
        let all = templates(&root).unwrap();
        let with = with_variants(&root, &all);
        assert!(with.contains(&"template-realtime".to_owned()), "{with:?}");
        assert!(!with.contains(&"template-microservice".to_owned()), "{with:?}");
    }
}
