//! The `commented-out-code` rule: a run of plain `//` lines (not `///`, not `//!`) must not hold
//! code. Version control keeps old code; a comment should say something the code cannot.
//!
//! A run is code when one of its lines ends like a statement (`;`, `{` or `}`), or when a line,
//! or the whole run, parses as Rust items or as statements that do something (a call, a `let`, an
//! assignment, a macro, control flow). A lone name, number, field or arithmetic expression parses
//! too, but reads as prose (`// width - 1`, `// self.count`), so it does not count. A run that
//! starts with `.` is tried as the tail of a method chain. The finding
//! points at the first line of the run, where an allow comment would go above it.

use syn::{BinOp, Expr, Stmt};

use super::{Finding, Source, allow};

pub(crate) const RULE: &str = "commented-out-code";

/// One finding per run of comment lines that looks like code.
pub(crate) fn check(source: &Source) -> Vec<Finding> {
    let runs = runs(&source.text);
    runs.iter()
        .filter_map(|run| {
            let code = run.code_line()?;
            let message =
                format!("`{}` looks like code: delete it or say it in prose", code.trim());
            Some(Finding::new(&source.path, run.first_line, RULE, message))
        })
        .collect()
}

/// Consecutive plain comment lines, as the text after `//`.
struct Run<'a> {
    first_line: usize,
    lines: Vec<&'a str>,
}

impl<'a> Run<'a> {
    /// The first line that shows the run is code, or the first line if only the whole run does.
    fn code_line(&self) -> Option<&'a str> {
        let line = self.lines.iter().find(|line| ends_like_statement(line) || is_code(line));
        let whole = self.lines.join("\n");
        let chained = whole.trim_start().starts_with('.') && is_code(&format!("receiver{whole}"));
        line.copied().or_else(|| (chained || is_code(&whole)).then_some(self.lines[0]))
    }
}

fn runs(text: &str) -> Vec<Run<'_>> {
    let mut runs = Vec::new();
    let mut current: Option<Run<'_>> = None;
    for (index, line) in text.lines().enumerate() {
        let Some(body) = comment_text(line) else {
            runs.extend(current.take());
            continue;
        };
        let run = current.get_or_insert_with(|| Run { first_line: index + 1, lines: Vec::new() });
        run.lines.push(body);
    }
    runs.extend(current);
    runs
}

/// The text of a whole-line plain comment; `None` for code, doc comments and allow comments.
fn comment_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let body = trimmed.strip_prefix("//")?;
    if body.starts_with('/') || body.starts_with('!') || allow::is_allow_comment(trimmed) {
        return None;
    }
    Some(body)
}

fn ends_like_statement(line: &str) -> bool {
    matches!(line.trim_end().chars().last(), Some(';' | '{' | '}'))
}

/// Whether `text` parses as Rust items, or as statements of which one does something.
fn is_code(text: &str) -> bool {
    if text.trim().is_empty() {
        return false;
    }
    if syn::parse_file(text).is_ok_and(|file| !file.items.is_empty()) {
        return true;
    }
    let block = syn::parse_str::<syn::Block>(&format!("{{\n{text}\n}}"));
    block.is_ok_and(|block| block.stmts.iter().any(does_something))
}

fn does_something(statement: &Stmt) -> bool {
    match statement {
        Stmt::Expr(expression, _) => !reads_as_prose(expression),
        Stmt::Local(_) | Stmt::Item(_) | Stmt::Macro(_) => true,
    }
}

/// Names, literals, fields, arithmetic and bare `return`-like words: parseable, but prose.
fn reads_as_prose(expression: &Expr) -> bool {
    match expression {
        Expr::Path(_) | Expr::Lit(_) | Expr::Continue(_) => true,
        Expr::Paren(inner) => reads_as_prose(&inner.expr),
        Expr::Unary(inner) => reads_as_prose(&inner.expr),
        Expr::Reference(inner) => reads_as_prose(&inner.expr),
        Expr::Field(inner) => reads_as_prose(&inner.base),
        Expr::Cast(inner) => reads_as_prose(&inner.expr),
        Expr::Index(inner) => reads_as_prose(&inner.expr) && reads_as_prose(&inner.index),
        Expr::Binary(inner) => !is_assignment(&inner.op) && both_prose(&inner.left, &inner.right),
        Expr::Range(range) => {
            all_prose(range.start.as_deref().into_iter().chain(range.end.as_deref()))
        }
        Expr::Tuple(tuple) => all_prose(tuple.elems.iter()),
        Expr::Array(array) => all_prose(array.elems.iter()),
        Expr::Return(inner) => all_prose(inner.expr.as_deref().into_iter()),
        Expr::Break(inner) => all_prose(inner.expr.as_deref().into_iter()),
        _ => false,
    }
}

fn both_prose(left: &Expr, right: &Expr) -> bool {
    reads_as_prose(left) && reads_as_prose(right)
}

fn all_prose<'a>(mut expressions: impl Iterator<Item = &'a Expr>) -> bool {
    expressions.all(reads_as_prose)
}

fn is_assignment(operator: &BinOp) -> bool {
    !matches!(
        operator,
        BinOp::Add(_)
            | BinOp::Sub(_)
            | BinOp::Mul(_)
            | BinOp::Div(_)
            | BinOp::Rem(_)
            | BinOp::And(_)
            | BinOp::Or(_)
            | BinOp::BitXor(_)
            | BinOp::BitAnd(_)
            | BinOp::BitOr(_)
            | BinOp::Shl(_)
            | BinOp::Shr(_)
            | BinOp::Eq(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Ne(_)
            | BinOp::Ge(_)
            | BinOp::Gt(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_found(text: &str) -> Vec<usize> {
        let source = Source { path: "fixture.rs".into(), text: text.into() };
        check(&source).iter().map(|finding| finding.line).collect()
    }

    #[test]
    fn commented_statements_items_and_calls_fail_at_the_start_of_their_run() {
        let fixture = include_str!("../../tests/fixtures/gates/commented_fail.rs");
        assert_eq!(lines_found(fixture), vec![3, 6, 11, 15, 18, 21]);
    }

    #[test]
    fn prose_docs_names_and_arithmetic_pass() {
        let fixture = include_str!("../../tests/fixtures/gates/commented_pass.rs");
        assert_eq!(lines_found(fixture), Vec::<usize>::new());
    }
}
