//! `cargo xtask gates`: the checks that no tool does, over every tracked Rust file.
//!
//! Each rule is a function from one [`Source`] to its findings:
//! - [`length`]: a file has at most 300 lines, tests included;
//! - [`markers`]: no work-left markers and no placeholder or debugging macros;
//! - [`commented`]: no commented-out code;
//! - [`module_doc`]: every module file opens with a `//!` doc;
//! - [`duplicates`]: no block of code copied within a package (across its files);
//! - [`module_cycles`]: no import cycle between the modules of a crate;
//! - [`module_boundary`]: a module folder with a `MODULE.md` names nothing of its crate outside it.
//!
//! The last two read whole crates ([`crates`], with the paths [`imports`] finds); so does
//! [`crate::modules::table`]: the root README's table of modules lists the copyable modules.
//! [`crate::twins`] adds its own findings: each template's in-place and generated forms in step;
//! so does [`crate::renders`]: every file cargo-generate renders (a README, a workflow, the
//! deployment files) renders with every placeholder value; and [`crate::upgrade::gate`]: each
//! template records its projects' provenance.
//! A finding is excused in place by an allow comment with a reason (see [`allow`]); excused
//! findings are counted and listed in the summary. [`files`] says which files are checked.

mod allow;
mod commented;
mod complexity;
mod crates;
mod duplicates;
mod files;
pub(crate) mod imports;
mod length;
mod markers;
mod module_boundary;
mod module_cycles;
mod module_doc;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::cmd;
use crate::finding::Finding;
use crate::workspace::packages::{self, Package};

pub(crate) use files::is_checked;

/// Every rule's name, as an allow comment names it.
const RULES: [&str; 6] = [
    length::RULE,
    complexity::RULE,
    markers::RULE,
    commented::RULE,
    module_doc::RULE,
    duplicates::RULE,
];
/// The rules about a whole file, which an allow comment anywhere in the file excuses.
const FILE_RULES: [&str; 2] = [length::RULE, module_doc::RULE];

/// A Rust file under check: its path relative to the repository root, and its text.
struct Source {
    /// The path, relative to the repository root.
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

/// Checks every tracked Rust file and the templates' twins; fails on any finding.
pub(crate) fn run(root: &Path) -> cmd::Result {
    let mut report = check_files(root, &files::tracked_rust_files(root)?)?;
    report.findings.extend(whole_repository(root)?);
    report.finish()
}

/// The findings of the checks that read more than one file at a time.
fn whole_repository(root: &Path) -> cmd::Result<Vec<Finding>> {
    let mut findings = crate::twins::check(root);
    findings.extend(crate::renders::check(root));
    findings.extend(crate::upgrade::gate::check(root));
    findings.extend(crates::check(root)?);
    findings.extend(crate::modules::table::check(root));
    Ok(findings)
}

/// The same, reporting only on `paths` (relative to `root`): what the pre-commit hook runs.
/// Every file is still read, so that a staged file is compared with the rest of its package.
pub(crate) fn run_on(root: &Path, paths: &[PathBuf]) -> cmd::Result {
    let mut report = check_files(root, &files::tracked_rust_files(root)?)?;
    report.files = paths.iter().filter(|path| is_checked(path)).count();
    report.findings.retain(|finding| paths.contains(&finding.path));
    report.allowed.retain(|allowed| paths.contains(&allowed.path));
    report.findings.extend(whole_repository(root)?);
    report.finish()
}

/// Every rule's findings for one file, before allow comments are applied.
fn raw_findings(source: &Source) -> Vec<Finding> {
    let rules: [fn(&Source) -> Vec<Finding>; 5] =
        [length::check, complexity::check, markers::check, commented::check, module_doc::check];
    rules.iter().flat_map(|rule| rule(source)).collect()
}

/// The findings of every file, and the findings that allow comments excused.
#[derive(Debug, Default)]
struct Report {
    files: usize,
    findings: Vec<Finding>,
    allowed: Vec<allow::Allowed>,
}

impl Report {
    /// Prints the findings and the summary; fails if any finding is left.
    fn finish(self) -> cmd::Result {
        for finding in &self.findings {
            println!("{finding}");
        }
        for allowed in &self.allowed {
            println!("allowed: {allowed}");
        }
        let (files, findings, allowed) = (self.files, self.findings.len(), self.allowed.len());
        println!("gates: {files} files, {findings} findings, {allowed} allowed exceptions");
        if findings == 0 {
            return Ok(());
        }
        Err(cmd::Error::new(format!("{findings} findings; see the lines above")))
    }
}

fn check_files(root: &Path, paths: &[PathBuf]) -> cmd::Result<Report> {
    let sources = paths.iter().map(|path| read(root, path)).collect::<cmd::Result<Vec<_>>>()?;
    let mut duplicates = duplicate_findings(&sources, &packages::all(root)?);
    let mut report = Report::default();
    for source in &sources {
        let mut raw = raw_findings(source);
        raw.extend(duplicates.remove(&source.path).unwrap_or_default());
        let outcome = allow::apply(source, raw);
        report.files += 1;
        report.findings.extend(outcome.findings);
        report.allowed.extend(outcome.allowed);
    }
    Ok(report)
}

fn read(root: &Path, path: &Path) -> cmd::Result<Source> {
    let text = std::fs::read_to_string(root.join(path))
        .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
    Ok(Source { path: path.to_path_buf(), text })
}

/// The `duplicate-code` findings, by file: each package's files are compared among themselves.
fn duplicate_findings(sources: &[Source], packages: &[Package]) -> HashMap<PathBuf, Vec<Finding>> {
    let mut by_package: BTreeMap<Option<&Path>, Vec<&Source>> = BTreeMap::new();
    for source in sources {
        let owner = packages::owning(packages, &source.path).map(|package| package.dir.as_path());
        by_package.entry(owner).or_default().push(source);
    }
    let mut by_file: HashMap<PathBuf, Vec<Finding>> = HashMap::new();
    for finding in by_package.values().flat_map(|group| duplicates::check(group)) {
        by_file.entry(finding.path.clone()).or_default().push(finding);
    }
    by_file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_file_passes_and_a_report_with_findings_fails() {
        let source = Source { path: "a.rs".into(), text: "//! Doc.\n\nfn main() {}\n".into() };
        assert_eq!(raw_findings(&source), Vec::new());
        let failing =
            Report { findings: vec![Finding::new("a.rs", 1, "x", "y")], ..Report::default() };
        assert!(failing.finish().is_err());
        assert!(Report::default().finish().is_ok());
    }
}
