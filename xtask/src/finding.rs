//! A [`Finding`]: one broken rule at one line of one file, as every repository check reports
//! it (the gates, the template twins and renders, the upgrade provenance check).

use std::fmt;
use std::path::PathBuf;

/// One broken rule, printed as `path:line: rule: message` so that an editor can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The file, relative to the repository root.
    pub(crate) path: PathBuf,
    /// The line, counted from 1.
    pub(crate) line: usize,
    /// The rule's name, as an allow comment names it.
    pub(crate) rule: &'static str,
    /// What is wrong, in words.
    pub(crate) message: String,
}

impl Finding {
    /// A finding at `path:line`.
    pub(crate) fn new(
        path: impl Into<PathBuf>,
        line: usize,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self { path: path.into(), line, rule, message: message.into() }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { path, line, rule, message } = self;
        write!(formatter, "{}:{line}: {rule}: {message}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_print_for_editors() {
        let finding = Finding::new("src/lib.rs", 7, "module-doc", "no doc");
        assert_eq!(finding.to_string(), "src/lib.rs:7: module-doc: no doc");
    }
}
