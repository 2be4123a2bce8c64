//! The modules a user can copy into an app of their own: every folder of a template that holds
//! a `MODULE.md` (see [`page`] for what is read of it), found by scanning the templates, so that
//! a new module needs no change here.
//!
//! A folder module (`template-rest/src/problem/`) is copied to `src/<name>/` of the app; a
//! folder with a `Cargo.toml` is a crate module (`template-microservice/circuit-breaker/`),
//! copied whole to `<app>/<name>/` and added as a path dependency: its code names itself with
//! `crate::`, so it could not live as a folder of another crate. `add` copies and wires one
//! module ([`add`]); `modules` proves every one in a fresh app ([`stage`], with [`subscriber`] for
//! the requests that stream); [`table`] holds the root README's list to the modules found here.

pub(crate) mod add;
mod app;
mod dependencies;
mod features;
pub(crate) mod page;
mod rollback;
pub(crate) mod stage;
mod subscriber;
pub(crate) mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cmd;
use crate::workspace::{FIXTURES, git_ls_files};

/// How a module travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A folder of a crate's `src/`, copied to `src/<name>/`.
    Folder,
    /// A crate of its own, copied to `<app>/<name>/` and added as a path dependency.
    Crate,
}

/// One copyable module.
#[derive(Debug, Clone)]
pub(crate) struct Module {
    /// The folder's name, which the `MODULE.md` title repeats.
    pub(crate) name: String,
    /// Its folder, relative to the repository root.
    pub(crate) dir: PathBuf,
    pub(crate) kind: Kind,
    pub(crate) page: page::Page,
}

impl Module {
    /// The template it comes from: the first component of its folder.
    pub(crate) fn template(&self) -> String {
        self.dir
            .components()
            .next()
            .map_or_else(String::new, |part| part.as_os_str().to_string_lossy().into_owned())
    }
}

/// Every module of the templates under `root`, sorted by name; fails on a `MODULE.md` that does
/// not parse, a title that is not its folder's name, or two modules with one name.
pub(crate) fn discover(root: &Path) -> cmd::Result<Vec<Module>> {
    let pages = git_ls_files(root, &["template-*"])?;
    let pages = pages.into_iter().filter(|path| is_module_page(path));
    let mut by_name: BTreeMap<String, Module> = BTreeMap::new();
    for path in pages {
        let module = read(root, &path)?;
        if let Some(other) = by_name.get(&module.name) {
            return Err(cmd::Error::new(format!(
                "two modules are named `{}`: {} and {}; module names are unique across templates",
                module.name,
                other.dir.display(),
                module.dir.display()
            )));
        }
        by_name.insert(module.name.clone(), module);
    }
    Ok(by_name.into_values().collect())
}

/// A `MODULE.md` of a template, outside the variants (which mirror in-place paths).
fn is_module_page(path: &Path) -> bool {
    let outside = !path.starts_with(FIXTURES)
        && !path.components().any(|part| part.as_os_str() == "variants");
    outside && path.file_name().is_some_and(|name| name == "MODULE.md")
}

fn read(root: &Path, page_path: &Path) -> cmd::Result<Module> {
    let fail = |message: String| cmd::Error::new(format!("{}: {message}", page_path.display()));
    let text =
        std::fs::read_to_string(root.join(page_path)).map_err(|error| fail(error.to_string()))?;
    let page = page::parse(&text).map_err(fail)?;
    let dir = page_path.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    if page.title != name {
        return Err(fail(format!(
            "the title `# {}` is not the folder's name `{name}`",
            page.title
        )));
    }
    let kind =
        if root.join(&dir).join("Cargo.toml").is_file() { Kind::Crate } else { Kind::Folder };
    Ok(Module { name, dir, kind, page })
}

/// The module called `name`, or an error listing the known ones.
pub(crate) fn find<'a>(modules: &'a [Module], name: &str) -> cmd::Result<&'a Module> {
    modules.iter().find(|module| module.name == name).ok_or_else(|| {
        let known: Vec<&str> = modules.iter().map(|module| module.name.as_str()).collect();
        cmd::Error::new(format!("no module `{name}`; the modules are: {}", known.join(", ")))
    })
}

/// `add --list`: one line per module, its name first, then its description.
pub(crate) fn list(modules: &[Module]) -> String {
    let width = modules.iter().map(|module| module.name.len()).max().unwrap_or(0);
    let lines = modules
        .iter()
        .map(|module| format!("{:<width$}  {}\n", module.name, module.page.description));
    lines.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_modules_are_found_with_their_kind() {
        let modules = discover(&cmd::workspace_root()).unwrap();
        let kind = |name: &str| find(&modules, name).unwrap().kind;
        assert_eq!(kind("problem"), Kind::Folder);
        assert_eq!(kind("observability"), Kind::Folder);
        assert_eq!(kind("circuit-breaker"), Kind::Crate);
        assert_eq!(find(&modules, "problem").unwrap().template(), "template-rest");
        assert!(modules.is_sorted_by(|a, b| a.name < b.name));
        let error = find(&modules, "nope").unwrap_err().to_string();
        assert!(error.starts_with("no module `nope`; the modules are: "), "{error}");
    }

    #[test]
    fn the_list_puts_the_name_first_then_the_description() {
        let modules = discover(&cmd::workspace_root()).unwrap();
        let listing = list(&modules);
        assert_eq!(listing.lines().count(), modules.len());
        let line = listing.lines().find(|line| line.starts_with("problem ")).unwrap();
        assert!(line.ends_with(&find(&modules, "problem").unwrap().page.description), "{line}");
    }

    /// A scratch repository holding `pages` (path, text); untracked files count, as in a work tree.
    fn repository(pages: &[(&str, &str)]) -> crate::upgrade::scratch::Scratch {
        let scratch = crate::upgrade::scratch::Scratch::new("modules-test").unwrap();
        cmd::output(std::process::Command::new("git").arg("init").arg("-q").arg(scratch.path()))
            .unwrap();
        for (path, text) in pages {
            let path = scratch.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        scratch
    }

    const PAGE: &str = "# auth\n\nTokens.\n\n## Dependencies\n\n```toml\n[dependencies]\n```\n\n\
                        ## Wiring\n\n```rust\npub mod auth;\n```\n";

    #[test]
    fn two_modules_of_one_name_or_a_title_that_is_not_the_folder_fail() {
        let twice = repository(&[
            ("template-a/src/auth/MODULE.md", PAGE),
            ("template-b/src/auth/MODULE.md", PAGE),
        ]);
        let error = discover(twice.path()).unwrap_err().to_string();
        assert_eq!(
            error,
            "two modules are named `auth`: template-a/src/auth and template-b/src/auth; module names are unique across templates"
        );
        let renamed = repository(&[("template-a/src/jwt/MODULE.md", PAGE)]);
        let error = discover(renamed.path()).unwrap_err().to_string();
        assert!(error.ends_with("the title `# auth` is not the folder's name `jwt`"), "{error}");
        let fine =
            repository(&[("template-a/src/auth/MODULE.md", PAGE), ("other/auth/MODULE.md", PAGE)]);
        assert_eq!(discover(fine.path()).unwrap().len(), 1, "only the templates are scanned");
    }

    #[test]
    fn only_template_pages_outside_variants_count() {
        assert!(is_module_page(Path::new("template-rest/src/auth/MODULE.md")));
        assert!(!is_module_page(Path::new("template-rest/variants/postgres/src/auth/MODULE.md")));
        assert!(!is_module_page(Path::new("template-rest/src/auth/mod.rs")));
    }
}
