//! Keeps each template's in-place files and their `.liquid` twins in step.
//!
//! A template compiles in place, as a member of this workspace, and generates into a standalone
//! project. Where a file must differ, `X.liquid` replaces `X` in the generated project. Rendering
//! `X.liquid` with the in-place values (the template's own names and each placeholder's default)
//! must give back `X` exactly, except for the `[profile.*]` tables of a `Cargo.toml`, which live
//! at the workspace root in place and must match the root's.
//!
//! [`render`] is a small Liquid subset, not the `liquid` crate that cargo-generate 0.23.14 uses
//! (`liquid ~0.26`): with `liquid` 0.26.11, a clean `cargo build -p xtask` took 122 s instead of
//! 18 s on the 2-core machine CI runs on (53 s of CPU instead of 8 s: pest's grammar generator,
//! regex, time and serde), paid by every fresh checkout and new CI machine. The subset is stricter than
//! Liquid, never looser: what it does not know is an error (a filter, nesting, whitespace control,
//! `and`), and so is an unknown variable, which cargo-generate would render as an empty string.

use std::collections::HashMap;
use std::path::Path;

use crate::gates::Finding;
use crate::templates::templates;

const RULE: &str = "template-twins";

/// Findings where a template's in-place and generated forms differ.
#[must_use]
pub fn check(root: &Path) -> Vec<Finding> {
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
    let rendered = match render(&template, values) {
        Ok(rendered) => set_aside_workspace(&plain, rendered, &in_place),
        Err(message) => return Some(Finding::new(liquid, 1, RULE, message)),
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
pub fn in_place_values(root: &Path, dir: &str) -> HashMap<String, String> {
    let name = Path::new(dir).file_name().map_or_else(|| dir.into(), |name| name.to_string_lossy());
    let mut values = HashMap::from([
        ("project-name".to_owned(), name.clone().into_owned()),
        ("crate_name".to_owned(), name.replace('-', "_")),
    ]);
    let manifest =
        std::fs::read_to_string(root.join(dir).join("cargo-generate.toml")).unwrap_or_default();
    for placeholder in crate::templates::discover_placeholders(&manifest) {
        if let Some(first) = placeholder.default.or_else(|| placeholder.choices.first().cloned()) {
            values.insert(placeholder.name, first);
        }
    }
    values
}

fn liquid_files(root: &Path, dir: &str) -> Vec<std::path::PathBuf> {
    let listing = crate::gates::git_ls_files(root, &[dir]).unwrap_or_default();
    let is_liquid = |path: &std::path::PathBuf| path.extension().is_some_and(|ext| ext == "liquid");
    listing.into_iter().filter(is_liquid).collect()
}

/// Renders the small subset of Liquid the templates use: `{{ var }}`, `{% raw %}`, and
/// `{% if var == "value" %}…{% elsif var != "value" %}…{% else %}…{% endif %}` without nesting.
///
/// # Errors
/// Names the first construct it does not understand.
pub fn render(template: &str, values: &HashMap<String, String>) -> Result<String, String> {
    let mut output = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        output.push_str(&rest[..start]);
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix("{{") {
            let end = after.find("}}").ok_or("unclosed {{")?;
            let name = after[..end].trim();
            output.push_str(values.get(name).ok_or_else(|| format!("unknown variable `{name}`"))?);
            rest = &after[end + 2..];
        } else if rest.starts_with("{%") {
            rest = render_tag(rest, values, &mut output)?;
        } else {
            output.push('{');
            rest = &rest[1..];
        }
    }
    output.push_str(rest);
    Ok(output)
}

/// Renders one `{% … %}` construct at the start of `text`; returns what follows it.
fn render_tag<'t>(
    text: &'t str,
    values: &HashMap<String, String>,
    output: &mut String,
) -> Result<&'t str, String> {
    let (tag, after) = split_tag(text)?;
    if tag == "raw" {
        let end = after.find("{% endraw %}").ok_or("unclosed {% raw %}")?;
        output.push_str(&after[..end]);
        return Ok(&after[end + "{% endraw %}".len()..]);
    }
    let Some(condition) = tag.strip_prefix("if ") else {
        return Err(format!("unsupported tag `{tag}`"));
    };
    let end = after.find("{% endif %}").ok_or("unclosed {% if %}")?;
    output.push_str(&choose_branch(condition, &after[..end], values)?);
    Ok(&after[end + "{% endif %}".len()..])
}

/// The rendering of the branch of an `if` block whose condition holds (or of the `else` branch,
/// or nothing). Every test and branch is read, as Liquid parses a whole file before rendering:
/// an error in a branch that no value reaches still keeps cargo-generate from rendering it.
fn choose_branch(
    first: &str,
    mut body: &str,
    values: &HashMap<String, String>,
) -> Result<String, String> {
    let mut condition = Some(first.to_owned());
    let mut chosen = None;
    loop {
        let next = body.find("{%");
        let (branch, tail) = next.map_or((body, ""), |at| (&body[..at], &body[at..]));
        let holds = match &condition {
            Some(test) => evaluate(test, values)?,
            None => true,
        };
        let rendered = render(branch, values)?;
        if holds && chosen.is_none() {
            chosen = Some(rendered);
        }
        if tail.is_empty() {
            return Ok(chosen.unwrap_or_default());
        }
        let (tag, after) = split_tag(tail)?;
        condition = match tag.strip_prefix("elsif ") {
            Some(test) => Some(test.to_owned()),
            None if tag == "else" => None,
            None => return Err(format!("unsupported tag `{tag}` inside if")),
        };
        body = after;
    }
}

/// The tag at the start of `text`, and what follows it. Whitespace control (`{%-`, `-%}`) is
/// left in the tag, which no branch then accepts: the subset does not trim as Liquid does.
fn split_tag(text: &str) -> Result<(&str, &str), String> {
    let end = text.find("%}").ok_or("unclosed {%")?;
    Ok((text[2..end].trim(), &text[end + 2..]))
}

/// `name == "literal"` or `name != "literal"`; anything else (an unquoted literal, `and`, `or`,
/// another operator) is an error.
fn evaluate(test: &str, values: &HashMap<String, String>) -> Result<bool, String> {
    let unsupported = || format!("unsupported test `{test}`");
    let (name, literal, equal) = match test.split_once("!=") {
        Some((name, literal)) => (name, literal, false),
        None => test
            .split_once("==")
            .map(|(name, literal)| (name, literal, true))
            .ok_or_else(unsupported)?,
    };
    let literal = literal.trim().strip_prefix('"').and_then(|rest| rest.strip_suffix('"'));
    let literal = literal.filter(|literal| !literal.contains('"')).ok_or_else(unsupported)?;
    let name = name.trim();
    let value = values.get(name).ok_or_else(|| format!("unknown variable `{name}`"))?;
    Ok((value == literal) == equal)
}

#[cfg(test)]
mod tests;
