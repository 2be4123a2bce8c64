//! The `complexity` rule: the cyclomatic complexity of every function stays below 10, as the
//! blueprint asks, measured on the source as written.
//!
//! clippy's `cognitive_complexity` measures macro expansions: with `tracing`'s `log` feature
//! (which sqlx turns on) every `tracing::info!` costs 7, so two log lines fail a function. This
//! rule parses the file with syn instead, where macro calls are opaque, and counts 1 plus one
//! per decision a reader follows: `if` (and `else if`), `while`, `for`, `loop`, `match` (once,
//! however many arms: a dispatch table is one decision), each match guard, `&&`, `||`, and
//! `let … else`. `?` is not counted: it propagates an error, it does not branch the logic.
//! Closures count toward the function that holds them; nested `fn` items count on their own.

use syn::visit::{self, Visit};

use super::{Finding, Source};

pub(crate) const RULE: &str = "complexity";

/// The highest complexity allowed ("< 10").
const MAX: usize = 9;

/// One finding per function whose complexity is above [`MAX`].
pub(crate) fn check(source: &Source) -> Vec<Finding> {
    let Ok(file) = syn::parse_file(&source.text) else {
        return Vec::new();
    };
    let mut functions = Functions { found: Vec::new() };
    functions.visit_file(&file);
    functions
        .found
        .into_iter()
        .filter(|(_, _, complexity)| *complexity > MAX)
        .map(|(name, line, complexity)| {
            let message = format!(
                "`{name}` has a cyclomatic complexity of {complexity}; at most {MAX}: extract the branches into functions"
            );
            Finding::new(&source.path, line, RULE, message)
        })
        .collect()
}

/// Collects `(name, line, complexity)` for every function with a body.
struct Functions {
    found: Vec<(String, usize, usize)>,
}

impl Functions {
    fn measure(&mut self, name: &syn::Ident, block: &syn::Block) {
        let mut counter = Counter { decisions: 0 };
        counter.visit_block(block);
        self.found.push((name.to_string(), name.span().start().line, 1 + counter.decisions));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.measure(&item.sig.ident, &item.block);
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.measure(&item.sig.ident, &item.block);
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            self.measure(&item.sig.ident, block);
        }
        visit::visit_trait_item_fn(self, item);
    }
}

/// Counts the decisions in one function body, stopping at nested items.
struct Counter {
    decisions: usize,
}

impl<'ast> Visit<'ast> for Counter {
    fn visit_item(&mut self, _nested: &'ast syn::Item) {}

    fn visit_expr_if(&mut self, expression: &'ast syn::ExprIf) {
        self.decisions += 1;
        visit::visit_expr_if(self, expression);
    }

    fn visit_expr_while(&mut self, expression: &'ast syn::ExprWhile) {
        self.decisions += 1;
        visit::visit_expr_while(self, expression);
    }

    fn visit_expr_for_loop(&mut self, expression: &'ast syn::ExprForLoop) {
        self.decisions += 1;
        visit::visit_expr_for_loop(self, expression);
    }

    fn visit_expr_loop(&mut self, expression: &'ast syn::ExprLoop) {
        self.decisions += 1;
        visit::visit_expr_loop(self, expression);
    }

    fn visit_expr_match(&mut self, expression: &'ast syn::ExprMatch) {
        self.decisions += 1 + expression.arms.iter().filter(|arm| arm.guard.is_some()).count();
        visit::visit_expr_match(self, expression);
    }

    fn visit_expr_binary(&mut self, expression: &'ast syn::ExprBinary) {
        if matches!(expression.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) {
            self.decisions += 1;
        }
        visit::visit_expr_binary(self, expression);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if local.init.as_ref().is_some_and(|init| init.diverge.is_some()) {
            self.decisions += 1;
        }
        visit::visit_local(self, local);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complexity_of(code: &str) -> Vec<(String, usize)> {
        let file = syn::parse_file(code).unwrap();
        let mut functions = Functions { found: Vec::new() };
        functions.visit_file(&file);
        functions.found.into_iter().map(|(name, _, complexity)| (name, complexity)).collect()
    }

    #[test]
    fn straight_code_is_one() {
        let code = "fn f() { tracing::info!(a = 1, \"x\"); tracing::warn!(\"y\"); g()?; }";
        assert_eq!(complexity_of(code), [("f".to_owned(), 1)]);
    }

    #[test]
    fn each_decision_adds_one() {
        let code = r"
            fn f(x: u8) {
                if x > 1 && x < 5 || x == 9 {} else if x == 0 {}
                while x > 0 {}
                for _ in 0..x {}
                loop { break }
                match x { 0 => {}, n if n > 3 => {}, _ => {} }
                let Some(y) = Some(x) else { return };
                let c = |z: u8| if z > 0 { 1 } else { 0 };
            }";
        assert_eq!(complexity_of(code), [("f".to_owned(), 12)]);
    }

    #[test]
    fn nested_functions_count_apart_and_methods_count() {
        let code = "impl S { fn outer(&self) { if a {} fn inner() { if b {} if c {} } } }";
        let found = complexity_of(code);
        assert_eq!(found, [("outer".to_owned(), 2), ("inner".to_owned(), 3)]);
    }

    #[test]
    fn ten_decisions_fail_and_nine_pass() {
        let body = |n: usize| "if a {}\n".repeat(n);
        let passing = Source { path: "ok.rs".into(), text: format!("fn f() {{\n{}}}", body(8)) };
        assert!(check(&passing).is_empty());
        let failing = Source { path: "bad.rs".into(), text: format!("fn f() {{\n{}}}", body(9)) };
        let findings = check(&failing);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].line, findings[0].rule), (1, RULE));
        assert!(findings[0].message.contains("complexity of 10"), "{}", findings[0].message);
    }

    #[test]
    fn unparsable_files_are_left_to_the_compiler() {
        let broken = Source { path: "broken.rs".into(), text: "fn f( {".into() };
        assert!(check(&broken).is_empty());
    }
}
