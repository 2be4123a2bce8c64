//! The `[features]` of a `MODULE.md`, written into the app's `Cargo.toml` by editing its lines:
//! `cargo add` has no option for features of the package itself, and re-serialising the
//! manifest with the `toml` crate would drop its comments and layout (`toml_edit` would keep
//! them, at the cost of a second TOML parser in xtask for a handful of lines).
//!
//! A feature the app lacks gets a line `name = ["a", "b"]` at the end of its `[features]` table
//! (created at the end of the file if there is none). A feature it has on one line gains the
//! missing members on that line; a feature written over several lines is left alone, with a
//! note saying what to add by hand.

/// The manifest `text` with `features` added, and the notes for what was left to the user.
pub(crate) fn add(text: &str, features: &toml::Table) -> Result<(String, Vec<String>), String> {
    let manifest: toml::Table = text.parse().map_err(|error| format!("Cargo.toml: {error}"))?;
    let existing =
        manifest.get("features").and_then(toml::Value::as_table).cloned().unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut fresh = Vec::new();
    let mut notes = Vec::new();
    for (name, members) in features {
        let members: Vec<&str> =
            members.as_array().into_iter().flatten().filter_map(toml::Value::as_str).collect();
        let Some(have) = existing.get(name).and_then(toml::Value::as_array) else {
            fresh.push(feature_line(name, &members));
            continue;
        };
        let mut all: Vec<&str> = have.iter().filter_map(toml::Value::as_str).collect();
        let missing: Vec<&str> =
            members.iter().copied().filter(|member| !all.contains(member)).collect();
        if missing.is_empty() {
            continue;
        }
        all.extend(&missing);
        match one_line_feature(&lines, name) {
            Some(index) => {
                let comment = lines[index].find('#').map(|at| format!(" {}", &lines[index][at..]));
                lines[index] = feature_line(name, &all) + &comment.unwrap_or_default();
            }
            None => notes.push(format!("add {missing:?} to the feature `{name}` of Cargo.toml")),
        }
    }
    insert(&mut lines, fresh);
    Ok((lines.join("\n") + "\n", notes))
}

/// `text` without the features `cargo add --optional` made for an optional dependency
/// (`utoipa = ["dep:utoipa"]`) that the module's `wanted` features enable with `dep:` instead:
/// the template has no such feature. A feature the manifest had `before` stays.
pub(crate) fn drop_implicit(text: &str, before: &toml::Table, wanted: &toml::Table) -> String {
    let had = before.get("features").and_then(toml::Value::as_table);
    let members = wanted.values().filter_map(toml::Value::as_array).flatten();
    let enabled: Vec<&str> = members.filter_map(toml::Value::as_str).collect();
    let implicit = |line: &str| {
        let Some((name, value)) = line.split_once('=') else { return false };
        let name = name.trim();
        let made = value.trim() == format!("[\"dep:{name}\"]");
        let had = had.is_some_and(|had| had.contains_key(name));
        made && !had
            && !wanted.contains_key(name)
            && enabled.contains(&format!("dep:{name}").as_str())
    };
    let lines: Vec<&str> = text.lines().collect();
    let Some((start, end)) = section(&lines) else { return text.to_owned() };
    let kept = lines
        .iter()
        .enumerate()
        .filter(|(index, line)| !(*index > start && *index < end && implicit(line)));
    kept.map(|(_, line)| *line).collect::<Vec<_>>().join("\n") + "\n"
}

/// `name = ["a", "b"]`.
fn feature_line(name: &str, members: &[&str]) -> String {
    let quoted: Vec<String> = members.iter().map(|member| format!("\"{member}\"")).collect();
    format!("{name} = [{}]", quoted.join(", "))
}

/// The index of the `[features]` table's line that holds all of feature `name`.
fn one_line_feature(lines: &[String], name: &str) -> Option<usize> {
    let (start, end) = section(lines)?;
    (start + 1..end).find(|&index| {
        let line = lines[index].split('#').next().unwrap_or_default().trim();
        let value =
            line.strip_prefix(name).map(str::trim_start).and_then(|rest| rest.strip_prefix('='));
        value.is_some_and(|value| value.trim().starts_with('[') && value.trim().ends_with(']'))
    })
}

/// The `[features]` header's index and the index just past its table.
fn section(lines: &[impl AsRef<str>]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = lines.iter().map(AsRef::as_ref).collect();
    let start = lines.iter().position(|line| line.trim() == "[features]")?;
    let next = lines[start + 1..].iter().position(|line| line.trim_start().starts_with('['));
    Some((start, next.map_or(lines.len(), |offset| start + 1 + offset)))
}

/// Puts `fresh` lines at the end of the `[features]` table, or in a new one at the end.
fn insert(lines: &mut Vec<String>, fresh: Vec<String>) {
    if fresh.is_empty() {
        return;
    }
    let Some((start, end)) = section(lines) else {
        if lines.last().is_some_and(|line| !line.trim().is_empty()) {
            lines.push(String::new());
        }
        lines.push("[features]".to_owned());
        lines.extend(fresh);
        return;
    };
    let last = (start..end).rev().find(|&index| !lines[index].trim().is_empty()).unwrap_or(start);
    lines.splice((last + 1)..=last, fresh);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn a_manifest_without_features_gets_the_table_at_its_end() {
        let manifest = "[package]\nname = \"app\" # mine\n\n[dependencies]\naxum = \"0.8\"\n";
        let wanted = features("default = [\"openapi\"]\nopenapi = [\"dep:utoipa\"]\n");
        let (text, notes) = add(manifest, &wanted).unwrap();
        let expected = "[package]\nname = \"app\" # mine\n\n[dependencies]\naxum = \"0.8\"\n\n\
                        [features]\ndefault = [\"openapi\"]\nopenapi = [\"dep:utoipa\"]\n";
        assert_eq!(text, expected);
        assert!(notes.is_empty());
    }

    #[test]
    fn existing_features_gain_members_in_place_and_new_ones_join_the_table() {
        let manifest = "[features]\n# my features\ndefault = [\"fast\"] # kept fast\nfast = []\n\n[dependencies]\n";
        let wanted = features("default = [\"openapi\"]\nopenapi = []\nfast = []\n");
        let (text, notes) = add(manifest, &wanted).unwrap();
        let expected = "[features]\n# my features\ndefault = [\"fast\", \"openapi\"] # kept fast\nfast = []\nopenapi = []\n\n[dependencies]\n";
        assert_eq!(text, expected);
        assert!(notes.is_empty());
        assert_eq!(add(&text, &wanted).unwrap().0, text, "adding twice changes nothing");
    }

    #[test]
    fn features_cargo_add_made_for_an_optional_dependency_go() {
        let before: toml::Table = "[features]\nserde = [\"dep:serde\"]\n".parse().unwrap();
        let text = "[features]\nserde = [\"dep:serde\"]\nutoipa = [\"dep:utoipa\"]\nopenapi = [\"dep:utoipa\"]\n";
        let wanted = features("openapi = [\"dep:utoipa\", \"dep:serde\"]\n");
        let expected = "[features]\nserde = [\"dep:serde\"]\nopenapi = [\"dep:utoipa\"]\n";
        assert_eq!(drop_implicit(text, &before, &wanted), expected);
        assert_eq!(drop_implicit(text, &before, &toml::Table::new()), text, "nothing enables it");
    }

    #[test]
    fn a_feature_over_several_lines_is_left_to_the_user() {
        let manifest = "[features]\ndefault = [\n  \"fast\",\n]\nfast = []\n";
        let (text, notes) = add(manifest, &features("default = [\"openapi\"]\n")).unwrap();
        assert_eq!(text, manifest);
        assert_eq!(notes, ["add [\"openapi\"] to the feature `default` of Cargo.toml"]);
    }
}
