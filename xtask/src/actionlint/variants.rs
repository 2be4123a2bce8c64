//! A template's workflow rendered as cargo-generate would render it, once per combination of
//! the values that its `{% if NAME == "VALUE" %}` tests compare with.
//!
//! The Liquid subset is [`crate::twins::render`]'s. Each `{{ NAME }}` gets the stand-in value
//! `demo` (like a project generated with `--name demo`) unless a test names a value for it. Each
//! tested name also takes [`OTHER`], a value no test matches, so that `else` branches render too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The value that matches none of a name's tests.
const OTHER: &str = "(other)";

/// One rendering: its label (`database=postgres`, or empty) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    /// The placeholder values it was rendered with.
    pub(crate) label: String,
    /// The rendered workflow.
    pub(crate) text: String,
}

/// Every rendering of `template`; fails with the first Liquid construct it cannot render.
pub(crate) fn render_all(template: &str) -> Result<Vec<Variant>, String> {
    let stand_ins: HashMap<String, String> =
        substitutions(template).into_iter().map(|name| (name, "demo".to_owned())).collect();
    combinations(&tested_values(template))
        .into_iter()
        .map(|combination| {
            let mut values = stand_ins.clone();
            values.extend(combination.iter().cloned());
            let label: Vec<String> =
                combination.iter().map(|(name, value)| format!("{name}={value}")).collect();
            let text = crate::twins::render(template, &values)?;
            Ok(Variant { label: label.join(","), text })
        })
        .collect()
}

/// The names inside `{{ }}`.
fn substitutions(template: &str) -> BTreeSet<String> {
    let pieces = template.split("{{").skip(1);
    pieces.filter_map(|piece| Some(piece.split_once("}}")?.0.trim().to_owned())).collect()
}

/// For each name an `if` or `elsif` test compares, the values it is compared with.
fn tested_values(template: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let tags = template.split("{%").skip(1).filter_map(|piece| piece.split_once("%}"));
    for (tag, _) in tags {
        let tag = tag.trim().trim_matches('-').trim();
        let test = tag.strip_prefix("if ").or_else(|| tag.strip_prefix("elsif "));
        let Some((name, literal)) = test.and_then(|test| test.split_once("==")) else {
            continue;
        };
        let literal = literal.trim().trim_matches('"').to_owned();
        let tested = values.entry(name.trim().to_owned()).or_default();
        tested.insert(OTHER.to_owned());
        tested.insert(literal);
    }
    values
}

/// Every choice of one value per name; one empty combination when nothing is tested.
fn combinations(values: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<(String, String)>> {
    let mut combinations = vec![Vec::new()];
    for (name, choices) in values {
        let mut next = Vec::new();
        for prefix in &combinations {
            let extended = choices
                .iter()
                .map(|choice| [prefix.clone(), vec![(name.clone(), choice.clone())]].concat());
            next.extend(extended);
        }
        combinations = next;
    }
    combinations
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "name: {{ project-name }}\n\
        {% if database == \"postgres\" %}services: [pg]\n{% endif %}\
        run: {% raw %}${{ github.sha }}{% endraw %}\n";

    #[test]
    fn every_tested_value_gets_its_rendering() {
        let variants = render_all(WORKFLOW).unwrap();
        assert_eq!(variants.len(), 2);
        assert_eq!(variants[0].label, "database=(other)");
        assert_eq!(variants[0].text, "name: demo\nrun: ${{ github.sha }}\n");
        assert_eq!(variants[1].label, "database=postgres");
        assert_eq!(variants[1].text, "name: demo\nservices: [pg]\nrun: ${{ github.sha }}\n");
    }

    #[test]
    fn two_names_multiply_and_no_test_renders_once() {
        let template = "{% if a == \"1\" %}x{% elsif a == \"2\" %}y{% endif %}\
                        {% if b == \"3\" %}z{% else %}w{% endif %}";
        let labels: Vec<String> =
            render_all(template).unwrap().into_iter().map(|v| v.label).collect();
        assert_eq!(labels.len(), 6);
        assert_eq!(labels[0], "a=(other),b=(other)");
        assert_eq!(labels[5], "a=2,b=3");
        assert_eq!(render_all("on: push\n").unwrap()[0].label, "");
    }

    #[test]
    fn unsupported_liquid_fails() {
        assert!(render_all("{% for x in y %}{% endfor %}").is_err());
    }
}
