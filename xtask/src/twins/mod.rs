//! Keeps each template's in-place files and their `.liquid` twins in step.
//!
//! A template compiles in place, as a member of this workspace, and generates into a standalone
//! project. Where a file must differ, `X.liquid` replaces `X` in the generated project. Rendering
//! `X.liquid` with the in-place values (the template's own names and each placeholder's default)
//! must give back `X` exactly, except for the `[profile.*]` tables of a `Cargo.toml`, which live
//! at the workspace root in place and must match the root's.
//!
//! [`render`] is [`subset`], a small Liquid subset: its module doc says why.

use std::collections::HashMap;
use std::path::Path;

use crate::finding::Finding;
use crate::generation::templates;

mod subset;

pub(crate) use subset::{render, render_located};

const RULE: &str = "template-twins";

/// Findings where a template's in-place and generated forms differ.
#[must_use]
pub(crate) fn check(root: &Path) -> Vec<Finding> {
    let Ok(templates) = templates(root) else {
        return vec![Finding::new("cargo-generate.toml", 1, RULE, "cannot read the templates")];
    };
    let root_profiles = std::fs::read_to_string(root.join("Cargo.toml"))
        .map(|manifest| profiles(&manifest).to_owned())
        .unwrap_or_default();
    let mut findings = Vec::new();
    for template in templates {
        let values = in_place_values(root, &template.dir);
        for twin in liquid_files(root, &template.dir) {
            findings.extend(compare(root, &twin, &values, &root_profiles));
        }
    }
    findings
}

fn compare(
    root: &Path,
    liquid: &Path,
    values: &HashMap<String, String>,
    root_profiles: &str,
) -> Option<Finding> {
    let plain = liquid.with_extension("");
    let Ok(template) = std::fs::read_to_string(root.join(liquid)) else {
        return Some(Finding::new(liquid, 1, RULE, "cannot read"));
    };
    let Ok(in_place) = std::fs::read_to_string(root.join(&plain)) else {
        return Some(Finding::new(
            liquid,
            1,
            RULE,
            format!("has no in-place twin {}", plain.display()),
        ));
    };
    let rendered = match render_located(&template, values) {
        Ok(rendered) => set_aside_workspace(&plain, rendered, &in_place),
        Err((line, message)) => return Some(Finding::new(liquid, line, RULE, message)),
    };
    let rendered = if plain.ends_with("Cargo.toml") {
        let profiles = profiles(&rendered);
        if let Some(table) = foreign_table(profiles, root_profiles) {
            let message = format!("`{table}` differs from the workspace root's profiles");
            return Some(Finding::new(liquid, 1, RULE, message));
        }
        rendered[..rendered.len() - profiles.len()].trim_end().to_owned() + "\n"
    } else {
        rendered
    };
    first_difference(&rendered, &in_place).map(|line| {
        let message = format!("renders differently from {} at line {line}", plain.display());
        Finding::new(liquid, line, RULE, message)
    })
}

/// A generated `Cargo.toml` compared without its `[workspace]` table, when the in-place one has
/// none (see [`without_workspace`]); any other file as rendered.
fn set_aside_workspace(plain: &Path, rendered: String, in_place: &str) -> String {
    if !plain.ends_with("Cargo.toml") || in_place.contains("\n[workspace]") {
        return rendered;
    }
    without_workspace(&rendered)
}

/// The manifest without its `[workspace]` table. A generated project may be a workspace of its
/// own (template-microservice ships its circuit-breaker crate as a member), while in place the
/// repository's root workspace lists the members, so only the generated form has the table.
fn without_workspace(manifest: &str) -> String {
    let Some(start) = manifest.find("\n[workspace]") else {
        return manifest.to_owned();
    };
    let table = &manifest[start + 1..];
    let end = table.find("\n[").map_or(manifest.len(), |offset| start + 1 + offset);
    format!("{}{}", manifest[..start].trim_end(), &manifest[end..])
}

/// The text from the first `[profile` table to the end.
fn profiles(manifest: &str) -> &str {
    manifest.find("\n[profile").map_or("", |start| &manifest[start..])
}

/// The header of the first profile table in `profiles` that the root does not have verbatim.
fn foreign_table(profiles: &str, root_profiles: &str) -> Option<String> {
    let root_tables = tables(root_profiles);
    tables(profiles)
        .into_iter()
        .find(|table| !root_tables.contains(table))
        .map(|table| table.lines().next().unwrap_or_default().to_owned())
}

/// Each `[table]` with its keys, comments dropped.
fn tables(text: &str) -> Vec<String> {
    let mut tables: Vec<String> = Vec::new();
    for line in
        text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        match tables.last_mut() {
            Some(table) if !line.starts_with('[') => {
                table.push('\n');
                table.push_str(line);
            }
            _ => tables.push(line.to_owned()),
        }
    }
    tables
}

fn first_difference(left: &str, right: &str) -> Option<usize> {
    let mut left_lines = left.lines();
    let mut right_lines = right.lines();
    for line in 1.. {
        match (left_lines.next(), right_lines.next()) {
            (None, None) => return None,
            (a, b) if a != b => return Some(line),
            _ => {}
        }
    }
    None
}

/// The values a template has in place: its own names (its directory's), and each placeholder's
/// default.
#[must_use]
pub(crate) fn in_place_values(root: &Path, dir: &str) -> HashMap<String, String> {
    let name = Path::new(dir).file_name().map_or_else(|| dir.into(), |name| name.to_string_lossy());
    let mut values = HashMap::from([
        ("project-name".to_owned(), name.clone().into_owned()),
        ("crate_name".to_owned(), name.replace('-', "_")),
    ]);
    let manifest =
        std::fs::read_to_string(root.join(dir).join("cargo-generate.toml")).unwrap_or_default();
    for placeholder in crate::generation::discover_placeholders(&manifest) {
        if let Some(first) = placeholder.default.or_else(|| placeholder.choices.first().cloned()) {
            values.insert(placeholder.name, first);
        }
    }
    values
}

fn liquid_files(root: &Path, dir: &str) -> Vec<std::path::PathBuf> {
    let listing = crate::workspace::git_ls_files(root, &[dir]).unwrap_or_default();
    let is_liquid = |path: &std::path::PathBuf| path.extension().is_some_and(|ext| ext == "liquid");
    listing.into_iter().filter(is_liquid).collect()
}

#[cfg(test)]
mod tests;
