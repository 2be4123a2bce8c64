//! The `duplicate-code` rule: no block of [`WINDOW`] significant lines appears twice within one
//! package. Copied logic drifts apart; a shared function does not.
//!
//! A significant line is a trimmed line that holds a letter or digit and is neither a comment,
//! an attribute nor a `use` or `mod` line (imports and derives repeat by nature). Packages are
//! compared apart, because each template is self-contained on purpose. The finding points at the
//! later copy and names the earlier one; one finding covers a whole copied run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Finding, Source};

pub(crate) const RULE: &str = "duplicate-code";

/// How many significant lines in a row make a copy.
const WINDOW: usize = 10;

/// The findings of every file of one package, `sources` in path order.
pub(crate) fn check(sources: &[&Source]) -> Vec<Finding> {
    let mut seen: HashMap<Vec<&str>, (&Path, usize, usize)> = HashMap::new();
    let mut findings = Vec::new();
    for source in sources {
        let lines = significant_lines(&source.text);
        let mut index = 0;
        while index + WINDOW <= lines.len() {
            let window: Vec<&str> =
                lines[index..index + WINDOW].iter().map(|(_, text)| *text).collect();
            let here = (source.path.as_path(), index, lines[index].0);
            let first = *seen.entry(window).or_insert(here);
            if is_copy(first, here) {
                findings.push(finding(&source.path, here.2, first));
                index += WINDOW;
                continue;
            }
            index += 1;
        }
    }
    findings
}

/// A copy is the same window at another place, not overlapping itself.
fn is_copy(first: (&Path, usize, usize), here: (&Path, usize, usize)) -> bool {
    first.0 != here.0 || here.1 >= first.1 + WINDOW
}

fn finding(path: &Path, line: usize, first: (&Path, usize, usize)) -> Finding {
    let (first_path, _, first_line) = first;
    let message = format!(
        "{WINDOW} lines repeat {}:{first_line}: move the shared logic into one function",
        first_path.display()
    );
    Finding::new(PathBuf::from(path), line, RULE, message)
}

/// The significant lines of `text`, with their line numbers.
fn significant_lines(text: &str) -> Vec<(usize, &str)> {
    let lines = text.lines().enumerate().map(|(index, line)| (index + 1, line.trim()));
    lines.filter(|(_, line)| is_significant(line)).collect()
}

fn is_significant(line: &str) -> bool {
    let ignored = ["//", "/*", "*", "#[", "#![", "use ", "pub use ", "mod ", "pub mod "];
    line.chars().any(char::is_alphanumeric) && !ignored.iter().any(|start| line.starts_with(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source { path: path.into(), text: text.into() }
    }

    fn block(name: &str) -> String {
        let lines: Vec<String> =
            (0..WINDOW).map(|index| format!("    let {name}{index} = compute({index});")).collect();
        lines.join("\n") + "\n"
    }

    #[test]
    fn a_copied_block_fails_at_the_copy_once() {
        let original = source("a.rs", &format!("//! A.\nfn a() {{\n{}}}\n", block("x")));
        let copy =
            source("b.rs", &format!("//! B.\n\nfn b() {{\n{}{}}}\n", block("x"), block("x")));
        let findings = check(&[&original, &copy]);
        let places: Vec<(&Path, usize)> =
            findings.iter().map(|finding| (finding.path.as_path(), finding.line)).collect();
        assert_eq!(places, vec![(Path::new("b.rs"), 4), (Path::new("b.rs"), 14)]);
        assert!(findings[0].message.contains("repeat a.rs:3"), "{}", findings[0].message);
    }

    #[test]
    fn different_code_imports_and_short_repeats_pass() {
        let imports: Vec<String> =
            (0..WINDOW * 2).map(|index| format!("use crate::m{index};\n")).collect();
        let imports = imports.concat();
        let first = source("a.rs", &format!("{imports}fn a() {{\n{}}}\n", block("x")));
        let second = source("b.rs", &format!("{imports}fn b() {{\n{}}}\n", block("y")));
        let original = block("x");
        let short = original.lines().take(WINDOW - 1).collect::<Vec<_>>().join("\n");
        let third = source("c.rs", &short);
        assert_eq!(check(&[&first, &second, &third]), Vec::new());
    }

    #[test]
    fn a_repeated_line_does_not_copy_itself() {
        let text: String = "    total += 1;\n".repeat(WINDOW + 5);
        assert_eq!(check(&[&source("a.rs", &text)]), Vec::new());
    }
}
