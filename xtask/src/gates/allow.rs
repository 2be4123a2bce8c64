//! Allow comments: `// gates: allow(RULE) reason: WHY` excuses one finding of `RULE`.
//!
//! For a rule about a line, the comment stands on that line or on the line just above it (above a
//! run of comments, for `commented-out-code`). For a rule about the whole file (`file-length`,
//! `module-doc`), it may stand anywhere in the file. A comment with no reason, an unknown rule,
//! or one that excuses nothing is itself a finding of the `allow` rule, so that exceptions stay few,
//! explained and current. Only plain `//` comments count; doc comments never do.

use std::fmt;
use std::path::PathBuf;

use super::{FILE_RULES, Finding, RULES, Source};

/// The rule's name, for broken allow comments.
const RULE: &str = "allow";

const MARK: &str = "gates: allow(";
const REASON: &str = "reason:";

/// A finding excused by an allow comment, listed in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allowed {
    pub(crate) path: PathBuf,
    /// The line of the allow comment.
    pub(crate) line: usize,
    /// The rule it excuses.
    pub(crate) rule: String,
    /// Why, in the author's words.
    pub(crate) reason: String,
}

impl fmt::Display for Allowed {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { path, line, rule, reason } = self;
        write!(formatter, "{}:{line}: {rule}: {reason}", path.display())
    }
}

/// The findings left after allow comments, and those they excused.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Findings that still fail the gates, in line order.
    pub(crate) findings: Vec<Finding>,
    /// Findings excused by an allow comment.
    pub(crate) allowed: Vec<Allowed>,
}

/// Whether `line` holds an allow comment (well-formed or not).
pub(crate) fn is_allow_comment(line: &str) -> bool {
    plain_comment(line).is_some_and(|body| body.starts_with(MARK))
}

/// Applies the allow comments of `source` to its `raw` findings.
pub(crate) fn apply(source: &Source, raw: Vec<Finding>) -> Outcome {
    let (comments, mut findings) = parse(source);
    let mut used = vec![false; comments.len()];
    let mut allowed = Vec::new();
    for finding in raw {
        let Some(index) = comments.iter().position(|comment| comment.excuses(&finding)) else {
            findings.push(finding);
            continue;
        };
        used[index] = true;
        allowed.push(comments[index].allowed(source));
    }
    let unused = comments.iter().zip(used).filter(|(_, used)| !used);
    findings.extend(unused.map(|(comment, _)| {
        let message = format!("allows no `{}` finding: delete it", comment.rule);
        Finding::new(&source.path, comment.line, RULE, message)
    }));
    findings.sort_by_key(|finding| finding.line);
    Outcome { findings, allowed }
}

/// A well-formed allow comment.
struct Comment {
    line: usize,
    rule: &'static str,
    reason: String,
}

impl Comment {
    fn excuses(&self, finding: &Finding) -> bool {
        let near = finding.line == self.line || finding.line == self.line + 1;
        self.rule == finding.rule && (near || FILE_RULES.contains(&finding.rule))
    }

    fn allowed(&self, source: &Source) -> Allowed {
        let (path, line) = (source.path.clone(), self.line);
        Allowed { path, line, rule: self.rule.to_owned(), reason: self.reason.clone() }
    }
}

/// The well-formed comments, and a finding for each malformed one.
fn parse(source: &Source) -> (Vec<Comment>, Vec<Finding>) {
    let mut comments = Vec::new();
    let mut findings = Vec::new();
    for (index, line) in source.text.lines().enumerate() {
        let Some(body) = plain_comment(line).and_then(|body| body.strip_prefix(MARK)) else {
            continue;
        };
        match parse_body(body) {
            Ok((rule, reason)) => comments.push(Comment { line: index + 1, rule, reason }),
            Err(message) => findings.push(Finding::new(&source.path, index + 1, RULE, message)),
        }
    }
    (comments, findings)
}

/// Parses `RULE) reason: WHY`, the part after `gates: allow(`.
fn parse_body(body: &str) -> Result<(&'static str, String), String> {
    let Some((rule, rest)) = body.split_once(')') else {
        return Err("unclosed `allow(`: write `gates: allow(RULE) reason: WHY`".to_owned());
    };
    let rule = rule.trim();
    let Some(known) = RULES.into_iter().find(|known| *known == rule) else {
        return Err(format!("unknown rule `{rule}`; known: {}", RULES.join(", ")));
    };
    let reason = rest.trim().strip_prefix(REASON).map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(format!("allow({known}) needs `reason: WHY` after it"));
    }
    Ok((known, reason.to_owned()))
}

/// The text after the first plain `//` of `line` (not `///`, not `//!`), left-trimmed.
fn plain_comment(line: &str) -> Option<&str> {
    let (start, _) = line.match_indices("//").next()?;
    let body = &line[start + 2..];
    if body.starts_with('/') || body.starts_with('!') {
        return None;
    }
    Some(body.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::{length, markers};

    fn outcome_of(fixture: &str, raw: &[(usize, &'static str)]) -> Outcome {
        let source = Source { path: "fixture.rs".into(), text: fixture.into() };
        let raw = raw.iter().map(|(line, rule)| Finding::new("fixture.rs", *line, rule, "raw"));
        apply(&source, raw.collect())
    }

    fn summary(outcome: &Outcome) -> Vec<(usize, &str)> {
        outcome.findings.iter().map(|finding| (finding.line, finding.rule)).collect()
    }

    #[test]
    fn allow_comments_with_reasons_excuse_their_findings() {
        let fixture = include_str!("../../tests/fixtures/gates/allow_pass.rs");
        let raw = [(301, length::RULE), (4, markers::RULE), (6, markers::RULE)];
        let outcome = outcome_of(fixture, &raw);
        assert_eq!(summary(&outcome), Vec::new());
        let lines: Vec<usize> = outcome.allowed.iter().map(|allowed| allowed.line).collect();
        assert_eq!(lines, vec![2, 3, 6]);
        assert_eq!(outcome.allowed[0].reason, "generated table");
    }

    #[test]
    fn broken_unused_and_distant_allow_comments_fail() {
        let fixture = include_str!("../../tests/fixtures/gates/allow_fail.rs");
        let outcome = outcome_of(fixture, &[(9, markers::RULE), (12, markers::RULE)]);
        let allow = |line| (line, RULE);
        let expected = vec![allow(3), allow(4), allow(5), allow(6), allow(7), (9, markers::RULE)];
        assert_eq!(summary(&outcome), expected);
        assert_eq!(outcome.allowed.len(), 1);
    }

    #[test]
    fn doc_comments_are_never_allow_comments() {
        let comment = |opening: &str| format!("x(); {opening} {MARK}marker) reason: r");
        assert!(is_allow_comment(&comment("//")));
        assert!(!is_allow_comment(&comment("///")));
        assert!(!is_allow_comment(&comment("//!")));
    }
}
