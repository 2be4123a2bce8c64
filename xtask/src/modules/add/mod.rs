//! `cargo xtask add <module> --to <path> [--force]` and `cargo xtask add --list`.
//!
//! Everything that can refuse is checked before anything is written: the destination must be a
//! cargo package (a `Cargo.toml` with `[package]`), the module must exist, its `MODULE.md` must
//! parse, and the destination must not hold a different module of that name. "Different" means:
//! `src/<name>.rs` (a file module of the app's own), or a `src/<name>/` (`<name>/` for a crate
//! module) without a `MODULE.md` (a folder of the app's own) or whose `MODULE.md` has another
//! title. A folder whose `MODULE.md` has the same title is an earlier copy of this module: its
//! files that differ from the template's are kept, and listed, unless `--force` replaces them.
//!
//! A failure after the first write (a `cargo add` that cannot resolve, a file that cannot be
//! written) leaves the destination as it was: every change is recorded first ([`Rollback`]),
//! and undone before the error is returned.

use std::path::{Path, PathBuf};

use super::dependencies::{self, Dependency};
use super::rollback::Rollback;
use super::{Kind, Module, features};
use crate::{cmd, workspace};

/// What `add` was asked.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// `None` with `--list`.
    pub(crate) module: Option<String>,
    pub(crate) to: PathBuf,
    pub(crate) force: bool,
}

impl Options {
    /// Parses `add`'s arguments.
    pub(crate) fn from_args(args: &[String]) -> cmd::Result<Self> {
        let usage =
            "usage: cargo xtask add <module> --to <path> [--force] | cargo xtask add --list";
        let mut options = Self { module: None, to: PathBuf::new(), force: false };
        let mut list = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--list" => list = true,
                "--force" => options.force = true,
                "--to" => options.to = args.next().ok_or_else(|| cmd::Error::new(usage))?.into(),
                name if !name.starts_with('-') && options.module.is_none() => {
                    options.module = Some(name.to_owned());
                }
                other => return Err(cmd::Error::new(format!("unexpected `{other}`; {usage}"))),
            }
        }
        let complete = if list {
            options.module.is_none()
        } else {
            options.module.is_some() && !options.to.as_os_str().is_empty()
        };
        if complete { Ok(options) } else { Err(cmd::Error::new(usage)) }
    }
}

/// `cargo xtask add`: lists the modules, or adds one and prints its wiring.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let options = Options::from_args(args)?;
    let root = cmd::workspace_root();
    let modules = super::discover(&root)?;
    let Some(name) = &options.module else {
        print!("{}", super::list(&modules));
        return Ok(());
    };
    let module = super::find(&modules, name)?;
    let report = add(&root, module, &options.to, options.force)?;
    print!("{report}");
    println!(
        "\nWire it in (from {}/MODULE.md, `## Wiring`):\n\n{}",
        module.dir.display(),
        module.page.wiring
    );
    Ok(())
}

/// Copies `module` into the package at `app`, adds its dependencies and features; returns what
/// was done, in words. Refuses, writing nothing, what the module doc says; on a failure after
/// the first write (a `cargo add` that fails, a file that cannot be written), puts back every
/// file it wrote, the directories it created, `Cargo.toml` and `Cargo.lock`, and says so.
pub(crate) fn add(root: &Path, module: &Module, app: &Path, force: bool) -> cmd::Result<String> {
    let manifest = package_manifest(app)?;
    let destination = destination(module, app)?;
    let (dependencies, wanted_features) = dependencies::parse(&module.page.dependencies)
        .map_err(|error| cmd::Error::new(format!("{}/MODULE.md: {error}", module.dir.display())))?;
    let files = module_files(root, module)?;
    let mut rollback = Rollback::default();
    for path in cargo_writes(app)? {
        rollback.keep(&path)?;
    }
    let added = copy(&files, &destination, force, &mut rollback).and_then(|mut report| {
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
        let lock: toml::Table = lock.parse().unwrap_or_default();
        for dependency in &dependencies {
            report.extend(cargo_add(dependency, app, &manifest, &lock)?);
        }
        report.extend(write_features(app, &manifest, &wanted_features, &mut rollback)?);
        Ok(report.join("\n") + "\n")
    });
    added.map_err(|error| undone(&error, app, rollback))
}

/// The error of a failed `add`, after `rollback` put `app` back.
fn undone(error: &cmd::Error, app: &Path, rollback: Rollback) -> cmd::Error {
    let failures = rollback.restore();
    if failures.is_empty() {
        return cmd::Error::new(format!(
            "{error}\nadd stopped: {} is left as it was (its files, Cargo.toml and Cargo.lock)",
            app.display()
        ));
    }
    cmd::Error::new(format!(
        "{error}\nadd stopped, and could not put back: {}",
        failures.join("; ")
    ))
}

/// The files `cargo add` may rewrite: the package's manifest, and the manifest and lock file of
/// its workspace (the package itself, when it is in none).
fn cargo_writes(app: &Path) -> cmd::Result<Vec<PathBuf>> {
    let manifest = app.join("Cargo.toml");
    let mut locate = cmd::cargo();
    locate.args(["locate-project", "--workspace", "--message-format", "plain", "--manifest-path"]);
    let workspace = PathBuf::from(cmd::output(locate.arg(&manifest))?.trim());
    let lock = workspace.with_file_name("Cargo.lock");
    Ok(vec![manifest, workspace, lock])
}

/// Adds `wanted` to the `[features]` of the manifest at `app`; the report's lines for what is
/// left to do by hand.
fn write_features(
    app: &Path,
    manifest: &toml::Table,
    wanted: &toml::Table,
    rollback: &mut Rollback,
) -> cmd::Result<Vec<String>> {
    let manifest_path = app.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest_path)?;
    let text = features::drop_implicit(&text, manifest, wanted);
    let (text, notes) = features::add(&text, wanted).map_err(cmd::Error::new)?;
    rollback.write(&manifest_path, text.as_bytes())?;
    Ok(notes.into_iter().map(|note| format!("by hand: {note}")).collect())
}

/// Runs the `cargo add` of `dependency`, retried at the template's locked version when cargo
/// refuses a feature the requirement's lowest version lacks; the report's line.
fn cargo_add(
    dependency: &Dependency,
    app: &Path,
    manifest: &toml::Table,
    lock: &toml::Table,
) -> cmd::Result<Option<String>> {
    let Some(mut command) = dependency.command(app, manifest) else { return Ok(None) };
    let dev = if dependency.dev { " (dev)" } else { "" };
    let name = &dependency.name;
    let Err(error) = cmd::output(&mut command) else {
        return Ok(Some(format!("dependency {name}{dev}")));
    };
    let locked =
        dependency.locked(lock).filter(|_| error.to_string().contains("unrecognized feature"));
    let Some(mut retry) = locked.as_ref().and_then(|locked| locked.command(app, manifest)) else {
        return Err(error);
    };
    cmd::output(&mut retry)?;
    Ok(Some(format!(
        "dependency {name}{dev}, at the template's locked version: its requirement predates a feature"
    )))
}

/// The parsed `Cargo.toml` of the package at `app`, or why `app` is not a package.
fn package_manifest(app: &Path) -> cmd::Result<toml::Table> {
    let refuse = |why: &str| {
        cmd::Error::new(format!("{} is not a cargo package: {why}; nothing written", app.display()))
    };
    let text =
        std::fs::read_to_string(app.join("Cargo.toml")).map_err(|_| refuse("no Cargo.toml"))?;
    let manifest: toml::Table =
        text.parse().map_err(|_| refuse("its Cargo.toml is not valid TOML"))?;
    if !manifest.contains_key("package") {
        return Err(refuse("its Cargo.toml has no [package] table (a virtual workspace?)"));
    }
    Ok(manifest)
}

/// Where `module` goes in `app`, unless a different module of its name is there.
fn destination(module: &Module, app: &Path) -> cmd::Result<PathBuf> {
    let name = &module.name;
    let destination = match module.kind {
        Kind::Folder => app.join("src").join(name),
        Kind::Crate => app.join(name),
    };
    let refuse = |why: String| {
        Err(cmd::Error::new(format!("{why}: a different module named `{name}`; nothing written")))
    };
    let file_module = app.join("src").join(format!("{name}.rs"));
    if module.kind == Kind::Folder && file_module.exists() {
        return refuse(format!("{} exists", file_module.display()));
    }
    if !destination.exists() {
        return Ok(destination);
    }
    let page = destination.join("MODULE.md");
    let Ok(text) = std::fs::read_to_string(&page) else {
        return refuse(format!("{} exists without a MODULE.md", destination.display()));
    };
    match super::page::title(&text) {
        Some(title) if title == name => Ok(destination),
        Some(title) => refuse(format!("{} is the module `{title}`", page.display())),
        None => refuse(format!("{} has no `# <name>` title", page.display())),
    }
}

/// What became of one file of the module.
enum Copied {
    Added,
    Same,
    Kept,
    Replaced,
}

/// The module's files as git lists them: each path relative to the module's folder, and its
/// bytes.
fn module_files(root: &Path, module: &Module) -> cmd::Result<Vec<(PathBuf, Vec<u8>)>> {
    let files = workspace::git_ls_files(root, &[&module.dir.to_string_lossy()])?;
    let read = |file: &PathBuf| -> cmd::Result<(PathBuf, Vec<u8>)> {
        let relative = file.strip_prefix(&module.dir).unwrap_or(file).to_path_buf();
        Ok((relative, std::fs::read(root.join(file))?))
    };
    files.iter().map(read).collect()
}

/// Copies `files` to `destination`, each write recorded in `rollback`; what exists stays
/// unless `force`. Returns the report's lines.
fn copy(
    files: &[(PathBuf, Vec<u8>)],
    destination: &Path,
    force: bool,
    rollback: &mut Rollback,
) -> cmd::Result<Vec<String>> {
    let (mut added, mut same, mut kept, mut replaced) = (0, 0, Vec::new(), Vec::new());
    for (relative, content) in files {
        match copy_file(content, &destination.join(relative), force, rollback)? {
            Copied::Added => added += 1,
            Copied::Same => same += 1,
            Copied::Kept => kept.push(relative.display().to_string()),
            Copied::Replaced => replaced.push(relative.display().to_string()),
        }
    }
    let mut report =
        vec![format!("{}: {added} files added, {same} already there", destination.display())];
    if !kept.is_empty() {
        report
            .push(format!("kept your version (differs; --force replaces it): {}", kept.join(", ")));
    }
    if !replaced.is_empty() {
        report.push(format!("replaced (--force): {}", replaced.join(", ")));
    }
    Ok(report)
}

/// Writes `content` to `to` unless a file is there: the same (nothing to do), or another one
/// (kept, or replaced with `force`).
fn copy_file(
    content: &[u8],
    to: &Path,
    force: bool,
    rollback: &mut Rollback,
) -> cmd::Result<Copied> {
    let copied = match std::fs::read(to) {
        Ok(existing) if existing == content => return Ok(Copied::Same),
        Ok(_) if !force => return Ok(Copied::Kept),
        Ok(_) => Copied::Replaced,
        Err(_) => Copied::Added,
    };
    rollback.write(to, content)?;
    Ok(copied)
}

#[cfg(test)]
mod tests;
