//! `cargo xtask audit`: cargo-deny's advisories, licenses, bans and sources checks, offline,
//! against the RustSec snapshot in `../shared/advisory-db`.
//!
//! The snapshot becomes the git checkout cargo-deny expects (see [`snapshot`]). The root
//! `deny.toml` covers the whole workspace; then each template with a `deny.toml` of its own is
//! checked with it, so that the rules a generated service ships with hold already in place. A
//! template's file names no database path, so a copy of it points at the same snapshot.
//! `cargo fetch` runs first: cargo-deny's `--offline` also stops `cargo metadata` from
//! downloading crates of other platforms, which it must read.

pub(crate) mod snapshot;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::checks;
use crate::cmd;
use snapshot::Snapshot;

/// The snapshot, relative to the repository root.
const SNAPSHOT_DIR: &str = "../shared/advisory-db";

/// The directory cargo-deny 0.20 opens for its default database under `db-path`: the URL's last
/// segment and the XxHash64 of the URL. Its "failed to get HEAD timestamp" error names it.
const DB_DIR_NAME: &str = "advisory-db-3157b0e258782691";

/// How old the snapshot may be; the root `deny.toml` says the same.
const MAXIMUM_STALENESS: &str = "P2Y";

const CHECKS: [&str; 5] = ["check", "advisories", "licenses", "bans", "sources"];

/// Installs the snapshot, then runs cargo-deny for the workspace and for each template.
pub(crate) fn run() -> cmd::Result {
    if !checks::has_cargo_subcommand("deny") {
        let install = "cargo install cargo-deny --version ^0.20 --locked";
        return Err(cmd::Error::new(format!("cargo-deny is missing: `{install}`")));
    }
    let root = cmd::workspace_root();
    let db_root = checks::target_dir().join("advisory-dbs");
    prepare(&root, &db_root)?;
    let mut configs = vec![(root.clone(), root.join("deny.toml"))];
    for template in templates_with_deny(&root)? {
        let config = patched_config(&template.join("deny.toml"), &db_root)?;
        configs.push((template, config));
    }
    let failed: Vec<String> = configs
        .iter()
        .filter(|(dir, config)| {
            cmd::run(&mut deny(&root, &dir.join("Cargo.toml"), config)).is_err()
        })
        .map(|(dir, _)| format!("{}/deny.toml", dir.display()))
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(cmd::Error::new(format!("cargo-deny failed for {}", failed.join(", "))))
}

/// Installs the snapshot under `db_root`, prints its date, and fetches the crates.
fn prepare(root: &Path, db_root: &Path) -> cmd::Result {
    let source = root.join(SNAPSHOT_DIR);
    let snapshot = Snapshot::read(&source)?;
    let (revision, date, age) = (&snapshot.revision, &snapshot.date, snapshot.age_in_days());
    println!("audit: RustSec advisory-db snapshot {revision} of {date} ({age} days old)");
    snapshot::install(&source, &db_root.join(DB_DIR_NAME), &snapshot)?;
    cmd::run(cmd::cargo().current_dir(root).args(["fetch", "--quiet"]))
}

fn deny(root: &Path, manifest: &Path, config: &Path) -> Command {
    let mut command = cmd::cargo();
    command.current_dir(root).args(["deny", "--offline", "--manifest-path"]).arg(manifest);
    command.arg("--config").arg(config).args(CHECKS);
    command
}

/// The template directories (`template-*` at the root) that have a `deny.toml`.
fn templates_with_deny(root: &Path) -> cmd::Result<Vec<PathBuf>> {
    let mut templates: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("template-"))
        })
        .filter(|path| path.join("deny.toml").is_file() && path.join("Cargo.toml").is_file())
        .collect();
    templates.sort();
    Ok(templates)
}

/// A copy of a template's `deny.toml` under the target directory, pointing at the snapshot.
fn patched_config(config: &Path, db_root: &Path) -> cmd::Result<PathBuf> {
    let text = std::fs::read_to_string(config)?;
    let name = config.parent().and_then(Path::file_name).unwrap_or_default().to_string_lossy();
    let out = checks::target_dir().join("audit").join(format!("{name}.deny.toml"));
    std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&out, with_database(&text, db_root))?;
    Ok(out)
}

/// `text` with its `[advisories]` table set to read `db_root` and to accept the snapshot's age.
fn with_database(text: &str, db_root: &Path) -> String {
    let overrides = format!(
        "db-path = \"{}\"\nmaximum-db-staleness = \"{MAXIMUM_STALENESS}\"\n",
        db_root.display()
    );
    let is_override = |line: &str| {
        let key = line.split('=').next().unwrap_or_default().trim();
        key == "db-path" || key == "maximum-db-staleness"
    };
    let mut patched = String::new();
    for line in text.lines().filter(|line| !is_override(line)) {
        patched.push_str(line);
        patched.push('\n');
        if line.trim() == "[advisories]" {
            patched.push_str(&overrides);
        }
    }
    if !text.lines().any(|line| line.trim() == "[advisories]") {
        patched.push_str("\n[advisories]\n");
        patched.push_str(&overrides);
    }
    patched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_config_is_pointed_at_the_snapshot() {
        let text = "[advisories]\nmaximum-db-staleness = \"P90D\"\nignore = []\n[bans]\n";
        let patched = with_database(text, Path::new("/t/dbs"));
        let expected = "[advisories]\ndb-path = \"/t/dbs\"\nmaximum-db-staleness = \"P2Y\"\n\
                        ignore = []\n[bans]\n";
        assert_eq!(patched, expected);
    }

    #[test]
    fn a_config_without_advisories_gets_the_table() {
        let patched = with_database("[bans]\n", Path::new("/t/dbs"));
        assert!(
            patched
                .ends_with("[advisories]\ndb-path = \"/t/dbs\"\nmaximum-db-staleness = \"P2Y\"\n")
        );
    }

    #[test]
    fn the_root_config_allows_the_same_staleness() {
        let root_config = include_str!("../../../deny.toml");
        assert!(root_config.contains(&format!("maximum-db-staleness = \"{MAXIMUM_STALENESS}\"")));
    }
}
