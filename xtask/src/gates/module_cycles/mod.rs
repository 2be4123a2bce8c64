//! The `module-cycles` rule: no import cycle between the modules of one crate, so that each
//! module can be read, and copied, with only what it uses.
//!
//! Modules are compared with their siblings, at every level: the files and folders of `src/`,
//! then those of each folder. Module `a` depends on its sibling `b` when code anywhere under `a`
//! names a path into `b` (see [`super::imports`]); a child naming its parent (`super::Finding`)
//! is how Rust modules share, not a cycle. A path through a `pub use` (`super::Outbox`, which
//! `hub/mod.rs` re-exports from `hub::outbox`) names the module the item comes from, so a
//! parent's re-exports hide no edge between its children. One finding per cycle, at the line of the edge that
//! closes it, naming where every edge of the cycle is written.
//!
//! An edge that still closes a cycle may be listed, with a reason, in [`ALLOWED`]; the rule then
//! leaves it out. A listed edge that is gone, or that no longer closes a cycle, is a finding of
//! its own, so that the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::Finding;
use super::imports::CrateFile;

pub(crate) const RULE: &str = "module-cycles";

/// The list of edges left in a cycle on purpose, relative to the repository root.
pub(crate) const ALLOWED: &str = "xtask/module-cycles-allowed.txt";

/// Where an edge is first written: file and line.
type Place = (PathBuf, usize);
/// Each module (as `a::b`) and the sibling modules it names, with where.
type Graph = BTreeMap<String, BTreeMap<String, Place>>;

/// One crate: its directory (as the allow list names it) and its files.
pub(crate) struct Crate<'a> {
    pub(crate) dir: String,
    pub(crate) files: &'a [CrateFile],
}

/// The findings over every crate, with the allow list's text.
pub(crate) fn check(crates: &[Crate<'_>], allowed: &str) -> Vec<Finding> {
    let entries = parse_allowed(allowed);
    let mut findings: Vec<Finding> =
        entries.iter().filter_map(|entry| entry.error.clone()).collect();
    for krate in crates {
        let mut graph = graph(krate.files);
        let mine: Vec<&Entry> = entries.iter().filter(|entry| entry.dir == krate.dir).collect();
        findings.extend(stale(&mut graph, &mine));
        findings.extend(cycles(graph));
    }
    let unknown = entries.iter().filter(|entry| entry.error.is_none());
    let unknown = unknown.filter(|entry| crates.iter().all(|krate| krate.dir != entry.dir));
    findings.extend(unknown.map(|entry| {
        let message = format!("no crate in `{}`: delete this line", entry.dir);
        Finding::new(ALLOWED, entry.line, RULE, message)
    }));
    findings
}

/// The sibling graph of one crate's files.
fn graph(files: &[CrateFile]) -> Graph {
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .flat_map(|file| (1..=file.module.len()).map(|len| file.module[..len].to_vec()))
        .collect();
    let mut graph = Graph::new();
    for node in &modules {
        graph.entry(node.join("::")).or_default();
    }
    let aliases: BTreeMap<&[String], &[String]> = files
        .iter()
        .flat_map(|file| &file.reexports)
        .map(|reexport| (reexport.alias.as_slice(), reexport.target.as_slice()))
        .collect();
    for file in files {
        for import in &file.imports {
            let target = through(&aliases, &import.target);
            let Some((from, to)) = sibling_edge(&file.module, &target, &modules) else { continue };
            let place = (file.path.clone(), import.line);
            let first = graph.entry(from).or_default().entry(to).or_insert_with(|| place.clone());
            *first = first.clone().min(place);
        }
    }
    graph
}

/// The edge between siblings that code in `module` naming `target` makes: from the child of
/// their common parent that holds `module`, to the one that holds `target`, if it is a module.
fn sibling_edge(
    module: &[String],
    target: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<(String, String)> {
    let common = module.iter().zip(target).take_while(|(a, b)| a == b).count();
    if common >= module.len() || common >= target.len() || !modules.contains(&target[..=common]) {
        return None;
    }
    Some((module[..=common].join("::"), target[..=common].join("::")))
}

/// `target` with the re-exports it goes through replaced by what they stand for (`a::Thing`,
/// re-exported from `a::inner`, is `a::inner::Thing`), for a few steps of re-exports.
fn through(aliases: &BTreeMap<&[String], &[String]>, target: &[String]) -> Vec<String> {
    let mut target = target.to_vec();
    for _ in 0..4 {
        let prefix = (1..=target.len()).rev().find(|len| aliases.contains_key(&target[..*len]));
        let Some(len) = prefix else { break };
        let replaced = [aliases[&target[..len]], &target[len..]].concat();
        if replaced == target {
            break;
        }
        target = replaced;
    }
    target
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
    let targets = graph.get(module).into_iter().flat_map(BTreeMap::keys);
    let cycle = targets.into_iter().find_map(|target| walk(graph, target, path, done));
    path.pop();
    done.insert(module.to_owned());
    cycle
}

/// One finding per cycle: each found cycle's closing edge is reported and taken out, until none
/// is left.
fn cycles(mut graph: Graph) -> Vec<Finding> {
    let mut findings = Vec::new();
    while let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<(String, Place)> = cycle
            .windows(2)
            .map(|pair| {
                let place = graph[&pair[0]][&pair[1]].clone();
                (format!("{} -> {} at {}:{}", pair[0], pair[1], place.0.display(), place.1), place)
            })
            .collect();
        let (closing_from, closing_to) = (&cycle[cycle.len() - 2], &cycle[cycle.len() - 1]);
        let place = graph.get_mut(closing_from).and_then(|edges| edges.remove(closing_to));
        let (path, line) = place.unwrap_or_default();
        let edges: Vec<&str> = steps.iter().map(|(text, _)| text.as_str()).collect();
        let message = format!(
            "import cycle {}: {}; break an edge, or list it in {ALLOWED} with a reason",
            cycle.join(" -> "),
            edges.join(", ")
        );
        findings.push(Finding::new(path, line, RULE, message));
    }
    findings
}

/// One line of the allow list.
#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    dir: String,
    from: String,
    to: String,
    /// Why the line is malformed, if it is.
    error: Option<Finding>,
}

/// The entries of the allow list: `<crate dir>: <from> -> <to>: <reason>`, `#` comments.
fn parse_allowed(text: &str) -> Vec<Entry> {
    let lines = text.lines().enumerate().map(|(index, line)| (index + 1, line.trim()));
    let lines = lines.filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    lines.map(|(line, text)| parse_entry(line, text)).collect()
}

fn parse_entry(line: usize, text: &str) -> Entry {
    let parts = text.split_once(": ").and_then(|(dir, rest)| {
        let (edge, reason) = rest.split_once(": ")?;
        let (from, to) = edge.split_once("->")?;
        Some((dir.trim(), from.trim(), to.trim(), reason.trim()))
    });
    let (dir, from, to, reason) = parts.unwrap_or_default();
    let error = (reason.is_empty()).then(|| {
        let message = "write `<crate dir>: <from> -> <to>: <reason>`, the reason included";
        Finding::new(ALLOWED, line, RULE, message)
    });
    Entry { line, dir: dir.to_owned(), from: from.to_owned(), to: to.to_owned(), error }
}

/// Takes the listed edges out of `graph`; a finding for each that is gone or closes no cycle.
fn stale(graph: &mut Graph, entries: &[&Entry]) -> Vec<Finding> {
    let full = graph.clone();
    let mut present = Vec::new();
    let mut findings = Vec::new();
    for entry in entries.iter().filter(|entry| entry.error.is_none()) {
        let removed = graph.get_mut(&entry.from).and_then(|edges| edges.remove(&entry.to));
        match removed {
            Some(_) => present.push(entry),
            None => findings.push(Finding::new(
                ALLOWED,
                entry.line,
                RULE,
                format!(
                    "{} has no edge {} -> {} any more: delete this line",
                    entry.dir, entry.from, entry.to
                ),
            )),
        }
    }
    for entry in &present {
        let mut others = full.clone();
        others.get_mut(&entry.from).map(|edges| edges.remove(&entry.to));
        if !reaches(&others, &entry.to, &entry.from) {
            let message = format!(
                "{} -> {} in {} closes no cycle any more: delete this line",
                entry.from, entry.to, entry.dir
            );
            findings.push(Finding::new(ALLOWED, entry.line, RULE, message));
        }
    }
    findings
}

/// Whether `to` is reachable from `from` in `graph`.
fn reaches(graph: &Graph, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(module) = stack.pop() {
        if module == to {
            return true;
        }
        if seen.insert(module.clone()) {
            stack.extend(graph.get(&module).into_iter().flat_map(BTreeMap::keys).cloned());
        }
    }
    false
}

#[cfg(test)]
mod tests;
