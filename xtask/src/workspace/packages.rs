//! The workspace's packages, found from their `Cargo.toml` files, and which one owns a file.
//!
//! Reading manifests with the `toml` crate keeps xtask free of a JSON parser for `cargo metadata`. Only
//! manifests with a `[package]` table count; the generated forms (`Cargo.toml.liquid`) and the
//! virtual workspace manifest do not.

use std::path::{Path, PathBuf};

use crate::cmd;

/// A package of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// Its `name` in `[package]`.
    pub(crate) name: String,
    /// Its directory, relative to the repository root (empty for a root package).
    pub(crate) dir: PathBuf,
}

/// Every package whose manifest git tracks or would track, sorted by directory.
pub(crate) fn all(root: &Path) -> cmd::Result<Vec<Package>> {
    let manifests = super::git_ls_files(root, &["Cargo.toml", "*/Cargo.toml"])?;
    let mut packages: Vec<Package> = manifests
        .iter()
        .filter(|manifest| !manifest.starts_with(super::FIXTURES))
        .filter_map(|manifest| {
            let text = std::fs::read_to_string(root.join(manifest)).ok()?;
            let dir = manifest.parent().unwrap_or(Path::new("")).to_path_buf();
            Some(Package { name: package_name(&text)?, dir })
        })
        .collect();
    packages.sort_by(|left, right| left.dir.cmp(&right.dir));
    Ok(packages)
}

/// The package whose directory holds `path` most closely (paths relative to the root).
pub(crate) fn owning<'a>(packages: &'a [Package], path: &Path) -> Option<&'a Package> {
    let holders = packages.iter().filter(|package| path.starts_with(&package.dir));
    holders.max_by_key(|package| package.dir.components().count())
}

/// The `name` of the `[package]` table of a manifest, if it has one and is valid TOML.
fn package_name(manifest: &str) -> Option<String> {
    let manifest = manifest.parse::<toml::Table>().ok()?;
    Some(manifest.get("package")?.get("name")?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, dir: &str) -> Package {
        Package { name: name.to_owned(), dir: dir.into() }
    }

    #[test]
    fn names_come_from_the_package_table_only() {
        let manifest =
            "[workspace]\nname = \"no\"\n[package]\nedition = \"2024\"\nname = \"yes\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("yes"));
        assert_eq!(package_name("[workspace]\nmembers = []\n"), None);
        assert_eq!(package_name("[package]\nversion = \"1\"\n[lib]\nname = \"lib\"\n"), None);
        assert_eq!(package_name("[package]\nname = \"a\"\nname = \"b\"\n"), None);
        assert_eq!(package_name("[package]\nname = \"a\" # the crate\n").as_deref(), Some("a"));
    }

    #[test]
    fn the_innermost_package_owns_a_file() {
        let packages = [package("outer", "t"), package("inner", "t/cb"), package("x", "xtask")];
        let owner = |path: &str| owning(&packages, Path::new(path)).map(|p| p.name.as_str());
        assert_eq!(owner("t/cb/src/lib.rs"), Some("inner"));
        assert_eq!(owner("t/src/lib.rs"), Some("outer"));
        assert_eq!(owner("README.md"), None);
    }

    #[test]
    fn this_workspace_has_xtask() {
        let packages = all(&cmd::workspace_root()).unwrap();
        assert!(packages.contains(&package("xtask", "xtask")), "{packages:?}");
    }
}
