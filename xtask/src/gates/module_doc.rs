//! The `module-doc` rule: every module file opens with a `//!` (or `/*!`) doc saying what it is
//! for, tests, benches, examples and build scripts included.
//!
//! rustc's `missing_docs` asks for docs on public items only and never on a private module's
//! file, and `clippy::missing_docs_in_private_items` would ask for every private item. Blank
//! lines, plain `//` comments (a licence header, say) and inner attributes may come first.

use super::{Finding, Source};

pub(crate) const RULE: &str = "module-doc";

/// One finding at line 1 unless the first significant line is an inner doc comment.
pub(crate) fn check(source: &Source) -> Vec<Finding> {
    let first = source.text.lines().map(str::trim_start).find(|line| !is_preamble(line));
    if first.is_some_and(|line| line.starts_with("//!") || line.starts_with("/*!")) {
        return Vec::new();
    }
    let message = "no `//!` doc at the top: say what this module is for";
    vec![Finding::new(&source.path, 1, RULE, message)]
}

fn is_preamble(line: &str) -> bool {
    let plain_comment = line.starts_with("//") && !line.starts_with("//!");
    line.is_empty() || plain_comment || line.starts_with("#![")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(text: &str) -> bool {
        check(&Source { path: "m.rs".into(), text: text.into() }).is_empty()
    }

    #[test]
    fn inner_docs_pass_after_blank_lines_comments_and_attributes() {
        assert!(passes("//! Parses things.\nfn f() {}\n"));
        assert!(passes("\n// Licence header.\n#![forbid(unsafe_code)]\n//! Doc.\n"));
        assert!(passes("/*! Block doc. */\n"));
    }

    #[test]
    fn outer_docs_code_and_empty_files_fail_at_line_one() {
        assert!(!passes("/// An item doc is not a module doc.\nfn f() {}\n"));
        assert!(!passes("use std::fs;\n//! Too late.\n"));
        assert!(!passes(""));
        let findings = check(&Source { path: "m.rs".into(), text: "fn f() {}\n".into() });
        assert_eq!((findings[0].line, findings[0].rule), (1, RULE));
    }
}
