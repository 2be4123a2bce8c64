//! The `marker` rule: no work-left markers (the upper-case words below, in comments or anywhere
//! else) and no placeholder or debugging macros. Clippy's `todo`, `unimplemented` and `dbg_macro`
//! see only compiled code; this rule also sees comments, strings and code behind a `cfg`.

use super::{Finding, Source};

pub(crate) const RULE: &str = "marker";

// gates: allow(marker) reason: the rule's own patterns
const WORDS: [&str; 3] = ["TODO", "FIXME", "XXX"];

// gates: allow(marker) reason: the rule's own patterns
const MACROS: [&str; 3] = ["todo!", "unimplemented!", "dbg!"];

/// One finding per line that holds a marker word or macro.
pub(crate) fn check(source: &Source) -> Vec<Finding> {
    let lines = source.text.lines().enumerate();
    lines
        .filter_map(|(index, line)| {
            let marker = find(line)?;
            let message = format!("`{marker}`: finish the work or file an issue, then delete it");
            Some(Finding::new(&source.path, index + 1, RULE, message))
        })
        .collect()
}

/// The first marker on `line`, if any. Words must stand alone; macros must not end a longer name.
fn find(line: &str) -> Option<&'static str> {
    let word = WORDS.into_iter().find(|word| {
        occurrences(line, word).any(|start| {
            let end = start + word.len();
            !is_identifier_byte(line, start.checked_sub(1)) && !is_identifier_byte(line, Some(end))
        })
    });
    let found_macro = || {
        MACROS.into_iter().find(|name| {
            occurrences(line, name).any(|start| !is_identifier_byte(line, start.checked_sub(1)))
        })
    };
    word.or_else(found_macro)
}

fn occurrences<'a>(line: &'a str, pattern: &'a str) -> impl Iterator<Item = usize> + 'a {
    line.match_indices(pattern).map(|(start, _)| start)
}

fn is_identifier_byte(line: &str, index: Option<usize>) -> bool {
    let byte = index.and_then(|index| line.as_bytes().get(index));
    byte.is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_found(text: &str) -> Vec<usize> {
        let source = Source { path: "fixture.rs".into(), text: text.into() };
        check(&source).iter().map(|finding| finding.line).collect()
    }

    #[test]
    fn every_marker_and_macro_fails_on_its_line() {
        let fixture = include_str!("../../tests/fixtures/gates/markers_fail.rs");
        assert_eq!(lines_found(fixture), vec![3, 5, 7, 10, 11, 12, 14]);
    }

    #[test]
    fn longer_words_and_names_pass() {
        let fixture = include_str!("../../tests/fixtures/gates/markers_pass.rs");
        assert_eq!(lines_found(fixture), Vec::<usize>::new());
    }
}
