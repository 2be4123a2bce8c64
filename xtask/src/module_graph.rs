//! The dependency graph of xtask's own top-level modules, read from `xtask/src` with `syn`, and
//! the test that it has no cycle: each module can be read, and copied, with only what it uses.
//!
//! Module `a` depends on module `b` when code anywhere under `a` names `crate::b` (in a `use`, a
//! path, or a macro's tokens) or reaches `b` through `super`. Doc-comment links do not count. A
//! file's module path comes from its place under `src/`; a `#[path]` attribute is not followed,
//! which can only matter for `super` at the top level (no such file has one).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// Each top-level module and the top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Edges that still close a cycle, each with why it is left: the test fails once one is gone,
/// so that this list only shrinks.
const KNOWN_CYCLE_EDGES: [(&str, &str, &str); 1] = [(
    "templates",
    "upgrade",
    "templates/upgrades.rs runs upgrade::rehearsal, while upgrade uses the generation library \
     (Template, generate) that templates/mod.rs re-exports; moving that library to a module of \
     its own means editing templates/mod.rs, which another branch is changing",
)];

/// The graph of the crate whose sources are under `src`.
fn graph(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let here = module_path(&file.strip_prefix(src).unwrap_or(&file).to_string_lossy());
        let Some(top) = here.first().cloned() else { continue };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let syntax = syn::parse_file(&text).unwrap_or_else(|error| panic!("{file:?}: {error}"));
        let mut collector = Collector { here, targets: BTreeSet::new() };
        collector.visit_file(&syntax);
        graph.entry(top).or_default().extend(collector.targets);
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for (module, targets) in &mut graph {
        targets.retain(|target| target != module && modules.contains(target));
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|error| panic!("{dir:?}: {error}"));
    let mut files = Vec::new();
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// `main.rs` is the root; `a.rs` and `a/mod.rs` are `a`; `a/b.rs` is `a::b`.
fn module_path(relative: &str) -> Vec<String> {
    let relative = relative.trim_end_matches(".rs").replace('\\', "/");
    let mut path: Vec<String> = relative.split('/').map(str::to_owned).collect();
    if path.last().is_some_and(|last| last == "mod" || last == "main") {
        path.pop();
    }
    path
}

/// Collects the top-level modules that one file names, tracking inline `mod` blocks.
struct Collector {
    here: Vec<String>,
    targets: BTreeSet<String>,
}

impl Collector {
    /// Records the top-level module that a path starting with `segments` lands in.
    fn resolve(&mut self, segments: &[String]) {
        let mut here = self.here.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => here.clear(),
            Some("super") => {
                while rest.first().is_some_and(|segment| segment == "super") {
                    here.pop();
                    rest = &rest[1..];
                }
                here.extend(rest.first().cloned());
            }
            Some("self") => {}
            _ => return,
        }
        let landed = if here.is_empty() { rest.get(1) } else { here.first() };
        self.targets.extend(landed.cloned());
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.here.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.here.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for path in use_paths(&item.tree, &[]) {
            self.resolve(&path);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segments);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for path in token_paths(mac.tokens.clone()) {
            self.resolve(&path);
        }
        visit::visit_macro(self, mac);
    }
}

/// Every path a `use` tree imports, from its first segment.
fn use_paths(tree: &syn::UseTree, prefix: &[String]) -> Vec<Vec<String>> {
    let with = |name: String| [prefix, &[name]].concat();
    match tree {
        syn::UseTree::Path(path) => use_paths(&path.tree, &with(path.ident.to_string())),
        syn::UseTree::Name(name) => vec![with(name.ident.to_string())],
        syn::UseTree::Rename(rename) => vec![with(rename.ident.to_string())],
        syn::UseTree::Glob(_) => vec![prefix.to_vec()],
        syn::UseTree::Group(group) => {
            group.items.iter().flat_map(|item| use_paths(item, prefix)).collect()
        }
    }
}

/// The `a::b::c` chains in a macro's tokens (its arguments are not parsed as Rust).
fn token_paths(tokens: TokenStream) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut colons = 0;
    for token in tokens {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == ':' && !current.is_empty() => {
                colons += 1;
            }
            TokenTree::Ident(ident) => {
                if colons != 2 {
                    paths.push(std::mem::take(&mut current));
                }
                current.push(ident.to_string());
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
    paths.retain(|path| path.len() > 1);
    paths
}

/// A cycle of `graph`, as the modules along it (the first repeated at the end), if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    let mut done = BTreeSet::new();
    graph.keys().find_map(|start| walk(graph, start, &mut Vec::new(), &mut done))
}

fn walk(
    graph: &Graph,
    module: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|seen| seen == module) {
        return Some([&path[at..], &[module.to_owned()]].concat());
    }
    if done.contains(module) {
        return None;
    }
    path.push(module.to_owned());
    let targets = graph.get(module).into_iter().flatten();
    let cycle = targets.into_iter().find_map(|target| walk(graph, target, path, done));
    path.pop();
    done.insert(module.to_owned());
    cycle
}

mod tests {
    use super::*;

    /// The known edges, removed from the graph; each must still be there.
    fn without_known_edges(mut graph: Graph) -> Graph {
        for (from, to, why) in KNOWN_CYCLE_EDGES {
            let targets = graph.get_mut(from).unwrap_or_else(|| panic!("no module {from}"));
            assert!(targets.remove(to), "{from} -> {to} is gone: drop it from the list ({why})");
        }
        graph
    }

    #[test]
    fn xtask_modules_depend_on_each_other_without_a_cycle() {
        let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
        assert!(graph.contains_key("gates") && graph.contains_key("cmd"), "{graph:?}");
        let cycle = find_cycle(&without_known_edges(graph.clone()));
        assert_eq!(cycle, None, "a cycle between xtask's modules; the graph: {graph:#?}");
    }

    #[test]
    fn uses_paths_macros_and_super_are_all_edges() {
        let text = "use crate::{a, b::c};\n\
                    fn f() { println!(\"{}\", crate::d::run()); let _ = super::e::X; }\n\
                    mod tests { use super::*; use crate::f as g; }\n\
                    fn h() -> std::path::PathBuf { self::i() }\n";
        let mut collector = Collector { here: vec!["m".into()], targets: BTreeSet::new() };
        collector.visit_file(&syn::parse_file(text).unwrap());
        let expected = ["a", "b", "d", "e", "f", "m"];
        assert_eq!(collector.targets, expected.iter().map(|t| (*t).to_owned()).collect());
    }

    #[test]
    fn files_map_to_module_paths() {
        assert_eq!(module_path("main.rs"), Vec::<String>::new());
        assert_eq!(module_path("gates/mod.rs"), ["gates"]);
        assert_eq!(module_path("gates/allow.rs"), ["gates", "allow"]);
        assert_eq!(module_path("twins.rs"), ["twins"]);
    }

    #[test]
    fn cycles_are_found_and_named() {
        let edges = |pairs: &[(&str, &str)]| {
            let mut graph = Graph::new();
            for (from, to) in pairs {
                graph.entry((*from).to_owned()).or_default().insert((*to).to_owned());
                graph.entry((*to).to_owned()).or_default();
            }
            graph
        };
        assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
        let cycle = find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")]));
        assert_eq!(cycle, Some(["a", "b", "c", "a"].map(str::to_owned).to_vec()));
    }
}
