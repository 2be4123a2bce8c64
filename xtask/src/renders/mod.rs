//! Gate `template-renders`: every file cargo-generate renders renders with every placeholder value.
//!
//! cargo-generate 0.23.14 renders the files that `[template] include` matches (gitignore
//! patterns, as its `ignore`-based matcher reads them), and each `X.liquid` twin in place of `X`.
//! A file that Liquid cannot parse or render is copied raw, with no error, so a generated README
//! would show `{% if %}` tags. Here each such file but the twins (the `template-twins` gate
//! renders those) is rendered with [`crate::twins::render`] (stricter than Liquid, see
//! `twins::subset`) with the in-place values, then with each other choice of each placeholder,
//! the others at their defaults; the first failure of a file is a finding, at its line. Like
//! Liquid, the renderer reads every branch of an `if`, so a broken branch fails with any value;
//! the other values are tried too, so that the gate holds for any renderer.
//! `cargo xtask readme` shows one rendering of a README.

use std::path::{Path, PathBuf};

use crate::finding::Finding;
use crate::generation::{Template, check_each_template, string_list};
use crate::twins::{in_place_values, render_located};
use crate::workspace::git_ls_files;

const RULE: &str = "template-renders";

/// A label (`broker=nats`) and the values that go with it.
type ValueSet = (String, std::collections::HashMap<String, String>);

/// The findings of every template of the repository at `root`.
#[must_use]
pub(crate) fn check(root: &Path) -> Vec<Finding> {
    check_each_template(root, RULE, check_template)
}

/// The findings of one template, whose directory is relative to `root`.
fn check_template(root: &Path, template: &Template) -> Vec<Finding> {
    let dir = Path::new(&template.dir);
    let manifest_path = dir.join("cargo-generate.toml");
    let manifest = std::fs::read_to_string(root.join(&manifest_path)).unwrap_or_default();
    let listing = git_ls_files(root, &[&template.dir]).unwrap_or_default();
    let files = match rendered_files(dir, &listing, &string_list(&manifest, "include")) {
        Ok(files) => files,
        Err(message) => return vec![Finding::new(manifest_path, 1, RULE, message)],
    };
    let value_sets = value_sets(root, template);
    files.iter().filter_map(|file| check_file(root, file, &value_sets)).collect()
}

fn check_file(root: &Path, file: &Path, value_sets: &[ValueSet]) -> Option<Finding> {
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        return Some(Finding::new(file, 1, RULE, "cannot be read"));
    };
    value_sets.iter().find_map(|(label, values)| {
        let (line, error) = render_located(&text, values).err()?;
        Some(Finding::new(file, line, RULE, format!("does not render with {label}: {error}")))
    })
}

/// The in-place values, then each other choice of each placeholder with the rest in place.
fn value_sets(root: &Path, template: &Template) -> Vec<ValueSet> {
    let in_place = in_place_values(root, &template.dir);
    let mut sets = vec![("the in-place values".to_owned(), in_place.clone())];
    for placeholder in &template.placeholders {
        let others =
            placeholder.choices.iter().filter(|c| in_place.get(&placeholder.name) != Some(c));
        for choice in others {
            let mut values = in_place.clone();
            values.insert(placeholder.name.clone(), choice.clone());
            sets.push((format!("{}={choice}", placeholder.name), values));
        }
    }
    sets
}

/// The files of `listing` (paths under `dir`) that cargo-generate renders and that are not
/// twins: those an include pattern matches, except each `X` that an `X.liquid` twin replaces.
///
/// # Errors
/// Names an include pattern that uses more than `*` and `?`.
fn rendered_files(
    dir: &Path,
    listing: &[PathBuf],
    patterns: &[String],
) -> Result<Vec<PathBuf>, String> {
    if let Some(pattern) =
        patterns.iter().find(|pattern| pattern.contains(['[', '!', '\\']) || pattern.contains("**"))
    {
        return Err(format!(
            "include pattern `{pattern}` uses more than `*` and `?`, which this gate reads"
        ));
    }
    let twin = |path: &PathBuf| path.extension().is_some_and(|extension| extension == "liquid");
    let replaced =
        |path: &PathBuf| listing.contains(&PathBuf::from(format!("{}.liquid", path.display())));
    let included = |path: &&PathBuf| {
        let Ok(relative) = path.strip_prefix(dir) else { return false };
        patterns.iter().any(|pattern| matches(pattern, &relative.to_string_lossy()))
    };
    let rendered = listing.iter().filter(included).filter(|path| !twin(path) && !replaced(path));
    Ok(rendered.cloned().collect())
}

/// Whether a gitignore `pattern` matches `path` (`/`-separated) or one of its parents: a pattern
/// with a `/` before its end is anchored at the template's root, one without matches a name at
/// any depth; `*` and `?` stay within one name.
fn matches(pattern: &str, path: &str) -> bool {
    let directory_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let names: Vec<&str> = path.split('/').collect();
    // A directory-only pattern matches a parent, never the file itself.
    let candidates = if directory_only { &names[..names.len() - 1] } else { &names[..] };
    if !trimmed.contains('/') {
        return candidates.iter().any(|name| glob(trimmed.as_bytes(), name.as_bytes()));
    }
    let parts: Vec<&str> = trimmed.trim_start_matches('/').split('/').collect();
    parts.len() <= candidates.len()
        && parts.iter().zip(candidates).all(|(part, name)| glob(part.as_bytes(), name.as_bytes()))
}

/// `*` (any run of characters) and `?` (one character) over one name.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, _) => name.is_empty(),
        (Some((b'*', rest)), _) => {
            glob(rest, name) || (!name.is_empty() && glob(pattern, &name[1..]))
        }
        (Some((expected, rest)), Some((found, name_rest))) => {
            (*expected == b'?' || expected == found) && glob(rest, name_rest)
        }
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests;
