//! What each module of a crate names of the rest of it, read with `syn`: the facts behind the
//! `module-cycles` and `module-boundary` rules.
//!
//! A file's module path comes from its place under `src/` (`a/b.rs` and `a/b/mod.rs` are `a::b`;
//! `lib.rs` and `main.rs` are the root); a `#[path]` attribute is not followed. Every path that
//! starts with `crate`, `super` or `self` counts, in a `use`, in code, or in a macro's tokens
//! (whose arguments syn does not parse as Rust); it is resolved to the absolute module path it
//! lands in. Doc-comment links do not count. `src/bin/` holds other crates and is skipped.

use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};

use crate::workspace::packages::Package;

/// One path that reaches into the crate: where it is written and where it lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Import {
    /// The absolute path it lands in, from the crate root (`["config", "Settings"]`).
    pub(crate) target: Vec<String>,
    /// The line it is written on.
    pub(crate) line: usize,
}

/// A source file of a crate: its path, its module path, and the paths it names.
#[derive(Debug, Clone)]
pub(crate) struct CrateFile {
    /// Relative to the repository root.
    pub(crate) path: PathBuf,
    /// Its module path from the crate root (empty for `lib.rs` and `main.rs`).
    pub(crate) module: Vec<String>,
    pub(crate) imports: Vec<Import>,
    pub(crate) reexports: Vec<Reexport>,
}

/// A name a module re-exports: `pub use inner::Thing;` in `a` makes `a::Thing` stand for
/// `a::inner::Thing`, so that a path through the re-export still lands in `inner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reexport {
    pub(crate) alias: Vec<String>,
    pub(crate) target: Vec<String>,
}

/// The files of `package`'s `src/` among `paths` (relative to the root), read and parsed with
/// `read`; files that do not parse are left to the compiler.
pub(crate) fn crate_files(
    package: &Package,
    paths: &[PathBuf],
    read: &dyn Fn(&Path) -> Option<String>,
) -> Vec<CrateFile> {
    let src = package.dir.join("src");
    let in_src =
        paths.iter().filter(|path| path.starts_with(&src) && !path.starts_with(src.join("bin")));
    in_src
        .filter_map(|path| {
            let relative = path.strip_prefix(&src).ok()?;
            let module = module_path(&relative.to_string_lossy());
            let (imports, reexports) = imports(&read(path)?, &module)?;
            Some(CrateFile { path: path.clone(), module, imports, reexports })
        })
        .collect()
}

/// `main.rs` and `lib.rs` are the root; `a.rs` and `a/mod.rs` are `a`; `a/b.rs` is `a::b`.
pub(crate) fn module_path(relative: &str) -> Vec<String> {
    let relative = relative.trim_end_matches(".rs").replace('\\', "/");
    let mut path: Vec<String> = relative.split('/').map(str::to_owned).collect();
    let last = path.last().map(String::as_str);
    if matches!(last, Some("mod")) || (path.len() == 1 && matches!(last, Some("main" | "lib"))) {
        path.pop();
    }
    path
}

/// The paths that the file `text`, at module path `module`, names of its crate, and the names
/// it re-exports.
pub(crate) fn imports(text: &str, module: &[String]) -> Option<(Vec<Import>, Vec<Reexport>)> {
    let syntax = syn::parse_file(text).ok()?;
    let mut collector =
        Collector { here: module.to_vec(), found: Vec::new(), reexports: Vec::new() };
    collector.visit_file(&syntax);
    Some((collector.found, collector.reexports))
}

/// Collects the crate paths that one file names, tracking inline `mod` blocks.
struct Collector {
    here: Vec<String>,
    found: Vec<Import>,
    reexports: Vec<Reexport>,
}

impl Collector {
    /// The absolute path of `segments`, written here; a path with no `crate`, `super` or `self`
    /// is taken as relative to here.
    fn absolute(&self, segments: &[String]) -> Vec<String> {
        let mut target = self.here.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                target.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            _ => {
                while rest.first().is_some_and(|segment| segment == "super") {
                    target.pop();
                    rest = &rest[1..];
                }
            }
        }
        [target, rest.to_vec()].concat()
    }

    /// Records where a path starting with `segments`, written at `line`, lands, if it starts
    /// with `crate`, `super` or `self`.
    fn resolve(&mut self, segments: &[String], line: usize) {
        if matches!(segments.first().map(String::as_str), Some("crate" | "super" | "self")) {
            self.found.push(Import { target: self.absolute(segments), line });
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.here.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.here.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for (path, line) in use_paths(&item.tree, &[]) {
            self.resolve(&path, line);
        }
        if !matches!(item.vis, syn::Visibility::Inherited) {
            for (alias, path) in bound_names(&item.tree, &[]) {
                let alias = [self.here.clone(), vec![alias]].concat();
                self.reexports.push(Reexport { alias, target: self.absolute(&path) });
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path.segments.first().map_or(0, |first| first.ident.span().start().line);
        self.resolve(&segments, line);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for (path, line) in token_paths(mac.tokens.clone()) {
            self.resolve(&path, line);
        }
        visit::visit_macro(self, mac);
    }
}

/// Every path a `use` tree imports, from its first segment, with the line of its first segment.
fn use_paths(tree: &syn::UseTree, prefix: &[(String, usize)]) -> Vec<(Vec<String>, usize)> {
    let with =
        |ident: &syn::Ident| [prefix, &[(ident.to_string(), ident.span().start().line)]].concat();
    let done = |path: Vec<(String, usize)>| {
        let line = path.first().map_or(0, |(_, line)| *line);
        (path.into_iter().map(|(segment, _)| segment).collect(), line)
    };
    match tree {
        syn::UseTree::Path(path) => use_paths(&path.tree, &with(&path.ident)),
        syn::UseTree::Name(name) => vec![done(with(&name.ident))],
        syn::UseTree::Rename(rename) => vec![done(with(&rename.ident))],
        syn::UseTree::Glob(_) => vec![done(prefix.to_vec())],
        syn::UseTree::Group(group) => {
            group.items.iter().flat_map(|item| use_paths(item, prefix)).collect()
        }
    }
}

/// The names a `use` tree binds, each with the path it stands for (globs bind none we know).
fn bound_names(tree: &syn::UseTree, prefix: &[String]) -> Vec<(String, Vec<String>)> {
    let with = |ident: &syn::Ident| [prefix, &[ident.to_string()]].concat();
    match tree {
        syn::UseTree::Path(path) => bound_names(&path.tree, &with(&path.ident)),
        syn::UseTree::Name(name) if name.ident == "self" => {
            prefix.last().map(|last| (last.clone(), prefix.to_vec())).into_iter().collect()
        }
        syn::UseTree::Name(name) => vec![(name.ident.to_string(), with(&name.ident))],
        syn::UseTree::Rename(rename) => vec![(rename.rename.to_string(), with(&rename.ident))],
        syn::UseTree::Glob(_) => Vec::new(),
        syn::UseTree::Group(group) => {
            group.items.iter().flat_map(|item| bound_names(item, prefix)).collect()
        }
    }
}

/// The `a::b::c` chains in a macro's tokens, each with the line of its first segment.
fn token_paths(tokens: TokenStream) -> Vec<(Vec<String>, usize)> {
    let mut paths = Vec::new();
    let mut current: (Vec<String>, usize) = (Vec::new(), 0);
    let mut colons = 0;
    for token in tokens {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == ':' && !current.0.is_empty() => {
                colons += 1;
            }
            TokenTree::Ident(ident) => {
                if colons != 2 {
                    let line = ident.span().start().line;
                    paths.push(std::mem::replace(&mut current, (Vec::new(), line)));
                }
                current.0.push(ident.to_string());
                colons = 0;
            }
            other => {
                paths.push(std::mem::take(&mut current));
                colons = 0;
                if let TokenTree::Group(group) = other {
                    paths.extend(token_paths(group.stream()));
                }
            }
        }
    }
    paths.push(current);
    paths.retain(|(path, _)| path.len() > 1);
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str, here: &[&str]) -> Vec<(String, usize)> {
        let here: Vec<String> = here.iter().map(|segment| (*segment).to_owned()).collect();
        let (found, _) = imports(text, &here).unwrap();
        found.into_iter().map(|import| (import.target.join("::"), import.line)).collect()
    }

    #[test]
    fn uses_paths_macros_and_super_all_land_somewhere() {
        let text = "use crate::{a, b::c};\n\
                    fn f() { println!(\"{}\", crate::d::run()); let _ = super::e::X; }\n\
                    mod tests { use super::*; use crate::f as g; }\n\
                    fn h() -> std::path::PathBuf { self::i() }\n";
        let expected =
            [("a", 1), ("b::c", 1), ("d::run", 2), ("e::X", 2), ("m", 3), ("f", 3), ("m::i", 4)];
        let mut found = targets(text, &["m"]);
        found.sort();
        let mut expected: Vec<(String, usize)> =
            expected.iter().map(|(path, line)| ((*path).to_owned(), *line)).collect();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn nested_super_climbs_out_of_a_folder() {
        let found = targets("use super::super::config::Settings;\n", &["auth", "jwt"]);
        assert_eq!(found, [("config::Settings".to_owned(), 1)]);
    }

    #[test]
    fn public_uses_are_reexports_from_here() {
        let text = "pub use inner::{Thing, other as Renamed};\npub(crate) use crate::x::{self};\n\
                    use private::Hidden;\npub use super::*;\n";
        let (_, reexports) = imports(text, &["a".to_owned()]).unwrap();
        let pairs: Vec<(String, String)> =
            reexports.iter().map(|r| (r.alias.join("::"), r.target.join("::"))).collect();
        let expected =
            [("a::Thing", "a::inner::Thing"), ("a::Renamed", "a::inner::other"), ("a::x", "x")];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, t)| ((*a).to_owned(), (*t).to_owned())).collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn files_map_to_module_paths() {
        assert_eq!(module_path("main.rs"), Vec::<String>::new());
        assert_eq!(module_path("lib.rs"), Vec::<String>::new());
        assert_eq!(module_path("gates/mod.rs"), ["gates"]);
        assert_eq!(module_path("gates/allow.rs"), ["gates", "allow"]);
        assert_eq!(module_path("twins.rs"), ["twins"]);
        assert_eq!(module_path("a/lib.rs"), ["a", "lib"]);
    }
}
