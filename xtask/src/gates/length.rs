//! The `file-length` rule: a file has at most [`MAX_LINES`] lines, tests and comments included.
//!
//! rustfmt and clippy count nothing per file, so this rule does. The finding points at the first
//! line past the limit, where a split would start.

use super::{Finding, Source};

pub(crate) const RULE: &str = "file-length";

/// The most lines a file may have.
const MAX_LINES: usize = 300;

/// One finding if `source` is longer than [`MAX_LINES`].
pub(crate) fn check(source: &Source) -> Vec<Finding> {
    let lines = source.text.lines().count();
    if lines <= MAX_LINES {
        return Vec::new();
    }
    let message = format!("{lines} lines; a file has at most {MAX_LINES}: split it by concept");
    vec![Finding::new(&source.path, MAX_LINES + 1, RULE, message)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_of(lines: usize) -> Source {
        Source { path: "long.rs".into(), text: "let x = 1;\n".repeat(lines) }
    }

    #[test]
    fn three_hundred_lines_pass() {
        assert_eq!(check(&source_of(MAX_LINES)), Vec::new());
    }

    #[test]
    fn three_hundred_and_one_lines_fail_at_the_first_line_too_many() {
        let findings = check(&source_of(MAX_LINES + 1));
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].line, findings[0].rule), (301, RULE));
        assert!(findings[0].message.starts_with("301 lines"), "{}", findings[0].message);
    }
}
