//! Reads the LCOV export of cargo-llvm-cov and adds its line counts up per package.
//!
//! LCOV is line-based (`SF:` opens a file, `LF:` and `LH:` give its found and hit lines,
//! `end_of_record` closes it), so no JSON parser is needed.

use std::path::{Path, PathBuf};

use crate::workspace::packages::{self, Package};

/// The line counts of one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileCoverage {
    /// The path as llvm-cov wrote it (absolute).
    pub(crate) path: PathBuf,
    /// Instrumented lines.
    pub(crate) lines: u64,
    /// Lines that ran at least once.
    pub(crate) covered: u64,
}

impl FileCoverage {
    fn named(path: &str) -> Self {
        Self { path: path.into(), lines: 0, covered: 0 }
    }
}

/// The line counts of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackageCoverage {
    pub(crate) name: String,
    /// Its directory, relative to the repository root.
    pub(crate) dir: PathBuf,
    /// Instrumented lines in all its files.
    pub(crate) lines: u64,
    /// Lines that ran at least once.
    pub(crate) covered: u64,
}

impl PackageCoverage {
    /// Whether at least `min_percent` of the lines ran; a package with no lines passes.
    pub(crate) fn meets(&self, min_percent: u64) -> bool {
        self.covered * 100 >= self.lines * min_percent
    }

    /// The percentage with one decimal, as `87.5%`, or `-` with no lines.
    pub(crate) fn percent(&self) -> String {
        let Some(tenths) = (self.covered * 1000).checked_div(self.lines) else {
            return "-".to_owned();
        };
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// The file records of an LCOV export.
pub(crate) fn parse(text: &str) -> Vec<FileCoverage> {
    let mut files = Vec::new();
    let mut current: Option<FileCoverage> = None;
    for line in text.lines() {
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        let number = || value.trim().parse::<u64>().unwrap_or(0);
        match (key, current.as_mut()) {
            ("SF", _) => current = Some(FileCoverage::named(value)),
            ("LF", Some(file)) => file.lines = number(),
            ("LH", Some(file)) => file.covered = number(),
            ("end_of_record", _) => files.extend(current.take()),
            _ => {}
        }
    }
    files
}

/// Adds `files` up per package, one row per package even with no files; other files are skipped.
pub(crate) fn per_package(
    root: &Path,
    packages: &[Package],
    files: &[FileCoverage],
) -> Vec<PackageCoverage> {
    let mut rows: Vec<PackageCoverage> = packages
        .iter()
        .map(|package| PackageCoverage {
            name: package.name.clone(),
            dir: package.dir.clone(),
            lines: 0,
            covered: 0,
        })
        .collect();
    for file in files {
        let relative = file.path.strip_prefix(root).unwrap_or(&file.path);
        let Some(owner) = packages::owning(packages, relative) else {
            continue;
        };
        let Some(row) = rows.iter_mut().find(|row| row.name == owner.name) else {
            continue;
        };
        row.lines += file.lines;
        row.covered += file.covered;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "SF:/repo/t/src/lib.rs\nFN:1,f\nDA:1,1\nLF:10\nLH:9\nend_of_record\n\
                          SF:/repo/t/cb/src/lib.rs\nLF:20\nLH:10\nend_of_record\n\
                          SF:/elsewhere/lib.rs\nLF:5\nLH:5\nend_of_record\n";

    fn packages() -> Vec<Package> {
        let package = |name: &str, dir: &str| Package { name: name.into(), dir: dir.into() };
        vec![package("t", "t"), package("cb", "t/cb"), package("empty", "e")]
    }

    #[test]
    fn records_parse_into_line_counts() {
        let files = parse(EXPORT);
        assert_eq!(files.len(), 3);
        assert_eq!((files[0].lines, files[0].covered), (10, 9));
        assert_eq!(files[1].path, PathBuf::from("/repo/t/cb/src/lib.rs"));
    }

    #[test]
    fn files_add_up_in_their_innermost_package() {
        let rows = per_package(Path::new("/repo"), &packages(), &parse(EXPORT));
        let counts: Vec<(&str, u64, u64)> =
            rows.iter().map(|row| (row.name.as_str(), row.lines, row.covered)).collect();
        assert_eq!(counts, vec![("t", 10, 9), ("cb", 20, 10), ("empty", 0, 0)]);
    }

    #[test]
    fn eighty_five_percent_passes_and_less_fails() {
        let row =
            |lines, covered| PackageCoverage { name: "p".into(), dir: "p".into(), lines, covered };
        assert!(row(200, 170).meets(85));
        assert!(!row(200, 169).meets(85));
        assert!(row(0, 0).meets(85));
        assert_eq!(row(200, 169).percent(), "84.5%");
        assert_eq!(row(0, 0).percent(), "-");
    }
}
