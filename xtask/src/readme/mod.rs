//! `cargo xtask readme <template> [--NAME VALUE | -d NAME=VALUE]... [--out FILE]`: a template's
//! README.md as a generated project would have it.
//!
//! In place, a README is Liquid: what a reader on GitHub sees there is the source. This renders
//! it with [`crate::twins::render`] (the renderer of the `template-twins` and `template-renders`
//! gates), from the template's in-place values (see [`in_place_values`]) overridden by the given
//! ones: `cargo xtask readme realtime --broker nats`. A name the template has no placeholder for,
//! or a value that is not one of its choices, is an error that lists what there is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cmd;
use crate::generation::{Template, templates};
use crate::twins::{in_place_values, render};

const USAGE: &str =
    "usage: cargo xtask readme <template> [--NAME VALUE | -d NAME=VALUE]... [--out FILE]
  <template>: a directory or name (template-realtime, realtime); NAME: one of its placeholders,
  or project-name (crate_name follows it)";

/// Parsed arguments of `readme`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReadmeArgs {
    template: String,
    defines: Vec<(String, String)>,
    out: Option<PathBuf>,
}

/// Prints (or writes to `--out`) a template's rendered README.
///
/// # Errors
/// Fails on bad arguments, an unknown template, placeholder or value, and a README that does not
/// render.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let args = parse(args)?;
    let root = cmd::workspace_root();
    let rendered = rendered_readme(&root, &args.template, &args.defines)?;
    let Some(path) = &args.out else {
        print!("{rendered}");
        return Ok(());
    };
    std::fs::write(path, rendered)
        .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))
}

/// The README of `template` (under `root`) rendered with `defines` over the in-place values.
fn rendered_readme(
    root: &Path,
    template: &str,
    defines: &[(String, String)],
) -> cmd::Result<String> {
    let template = find_template(root, template)?;
    let values = values(root, &template, defines)?;
    let path = Path::new(&template.dir).join("README.md");
    let text = std::fs::read_to_string(root.join(&path))
        .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
    render(&text, &values).map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))
}

fn parse(args: &[String]) -> cmd::Result<ReadmeArgs> {
    let mut parsed = ReadmeArgs { template: String::new(), defines: Vec::new(), out: None };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| cmd::Error::new(USAGE));
        match arg.as_str() {
            "--out" | "-o" => parsed.out = Some(PathBuf::from(value()?)),
            "-d" | "--define" => parsed.defines.push(define(&value()?)?),
            flag if flag.starts_with("--") && flag.len() > 2 => {
                parsed.defines.push((flag[2..].to_owned(), value()?));
            }
            template if parsed.template.is_empty() && !template.starts_with('-') => {
                template.clone_into(&mut parsed.template);
            }
            _ => return Err(cmd::Error::new(USAGE)),
        }
    }
    if parsed.template.is_empty() {
        return Err(cmd::Error::new(USAGE));
    }
    Ok(parsed)
}

fn define(text: &str) -> cmd::Result<(String, String)> {
    let (key, value) = text.split_once('=').ok_or_else(|| cmd::Error::new(USAGE))?;
    Ok((key.to_owned(), value.to_owned()))
}

/// The template named `name`: `template-rest`, `rest`, or a path ending in the directory.
fn find_template(root: &Path, name: &str) -> cmd::Result<Template> {
    let wanted = Path::new(name).file_name().map(|dir| dir.to_string_lossy().into_owned());
    let wanted = wanted.unwrap_or_default();
    let all = templates(root)?;
    let dirs: Vec<&str> = all.iter().map(|template| template.dir.as_str()).collect();
    let message = format!("no template `{name}`; templates: {}", dirs.join(", "));
    let found = all.iter().find(|t| t.dir == wanted || t.short_name() == wanted).cloned();
    found.ok_or_else(|| cmd::Error::new(message))
}

/// The in-place values of `template` with `defines` over them; `project-name` also sets
/// `crate_name`, as cargo-generate derives it.
fn values(
    root: &Path,
    template: &Template,
    defines: &[(String, String)],
) -> cmd::Result<HashMap<String, String>> {
    let mut values = in_place_values(root, &template.dir);
    for (name, value) in defines {
        check_define(template, name, value)?;
        if name == "project-name" {
            values.insert("crate_name".to_owned(), value.replace('-', "_"));
        }
        values.insert(name.clone(), value.clone());
    }
    Ok(values)
}

/// Fails unless `name` is `project-name` or a placeholder of `template` that offers `value`.
fn check_define(template: &Template, name: &str, value: &str) -> cmd::Result {
    if name == "project-name" && !value.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = template.placeholders.iter().map(|p| p.name.as_str()).collect();
    let Some(placeholder) = template.placeholders.iter().find(|p| p.name == name) else {
        let names = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
        return Err(cmd::Error::new(format!(
            "{} has no placeholder `{name}`; placeholders: {names} (and project-name)",
            template.dir
        )));
    };
    if placeholder.choices.iter().any(|choice| choice == value) {
        return Ok(());
    }
    Err(cmd::Error::new(format!(
        "`{name}` cannot be `{value}`; choices: {}",
        placeholder.choices.join(", ")
    )))
}

#[cfg(test)]
mod tests;
