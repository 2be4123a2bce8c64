//! The outcome of an upgrade, and the summary printed for it: one line per file that changed or
//! needs attention, then the counts and what became of the recorded revision.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::git::short;
use super::plan::{Change, Conflict, Planned, has_conflicts};

/// What an upgrade did, or would do in a dry run.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The project, as given.
    pub(crate) project: PathBuf,
    /// The template's directory, such as `template-rest`.
    pub(crate) template: String,
    /// The commit the project was generated from.
    pub(crate) from: String,
    /// The commit it is upgraded to.
    pub(crate) to: String,
    /// Every file's change.
    pub(crate) planned: Vec<Planned>,
    /// Whether nothing was written.
    pub(crate) dry_run: bool,
}

impl Report {
    /// The number of files in conflict.
    pub(crate) fn conflicts(&self) -> usize {
        self.planned.iter().filter(|item| matches!(item.change, Change::Conflict(_))).count()
    }

    /// The summary, ending with a newline.
    pub(crate) fn render(&self) -> String {
        let mut text = format!(
            "upgrade {}: {} {} -> {}{}\n",
            self.project.display(),
            self.template,
            short(&self.from),
            short(&self.to),
            if self.dry_run { " (dry run: nothing written)" } else { "" }
        );
        for item in &self.planned {
            let (word, note) = describe(&item.change);
            let _ = writeln!(text, "  {word:<9} {}{note}", item.path.display());
        }
        let _ = writeln!(text, "{}", self.counts());
        text.push_str(&self.revision_line());
        text
    }

    fn counts(&self) -> String {
        let words = ["merged", "updated", "added", "removed", "kept", "conflict"];
        let counts = words.map(|word| {
            let count = self
                .planned
                .iter()
                .filter(|item| describe(&item.change).0.eq_ignore_ascii_case(word))
                .count();
            format!("{count} {word}{}", if word == "conflict" && count != 1 { "s" } else { "" })
        });
        format!("summary: {}", counts.join(", "))
    }

    fn revision_line(&self) -> String {
        let to = short(&self.to);
        if has_conflicts(&self.planned) && self.dry_run {
            return "revision: would not be recorded, because of the conflicts above\n".to_owned();
        }
        if has_conflicts(&self.planned) {
            return format!(
                "revision: not recorded. Resolve the conflicts above, then record it with\n  \
                 cargo xtask upgrade --project {} --base {to} --to {to}\n",
                self.project.display()
            );
        }
        let verb = if self.dry_run { "would be recorded" } else { "recorded" };
        format!("revision: {to} {verb} in .template.toml\n")
    }
}

/// The word and the note that describe one change.
fn describe(change: &Change) -> (&'static str, String) {
    match change {
        Change::Updated(_) => ("updated", String::new()),
        Change::Merged(_) => ("merged", String::new()),
        Change::Added(_) => ("added", String::new()),
        Change::Removed => ("removed", String::new()),
        Change::Kept => ("kept", " (deleted by the template, edited in the project)".to_owned()),
        Change::Conflict(Conflict::Markers { regions, .. }) => {
            let plural = if *regions == 1 { "" } else { "s" };
            ("CONFLICT", format!(" ({regions} region{plural}, marked in the file)"))
        }
        Change::Conflict(Conflict::Unmergeable) => (
            "CONFLICT",
            " (binary or .sqlx data changed on both sides: the project's version stays)".to_owned(),
        ),
        Change::Conflict(Conflict::DeletedInProject) => {
            ("CONFLICT", " (deleted in the project, changed by the template)".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upgrade::snapshot::Entry;

    fn report(planned: Vec<Planned>) -> Report {
        Report {
            project: PathBuf::from("../orders"),
            template: "template-rest".to_owned(),
            from: "0123456789abcdef".to_owned(),
            to: "fedcba9876543210".to_owned(),
            planned,
            dry_run: false,
        }
    }

    #[test]
    fn a_clean_upgrade_lists_files_counts_and_the_recorded_revision() {
        let entry = Entry { bytes: Vec::new(), executable: false };
        let text = report(vec![
            Planned { path: "Cargo.toml".into(), change: Change::Merged(entry.clone()) },
            Planned { path: "src/new.rs".into(), change: Change::Added(entry) },
            Planned { path: "old.md".into(), change: Change::Kept },
        ])
        .render();
        assert!(
            text.starts_with("upgrade ../orders: template-rest 0123456789ab -> fedcba987654\n"),
            "{text}"
        );
        assert!(text.contains("  merged    Cargo.toml\n  added     src/new.rs\n"), "{text}");
        assert!(
            text.contains("  kept      old.md (deleted by the template, edited in the project)\n")
        );
        assert!(
            text.contains(
                "summary: 1 merged, 0 updated, 1 added, 0 removed, 1 kept, 0 conflicts\n"
            )
        );
        assert!(text.ends_with("revision: fedcba987654 recorded in .template.toml\n"), "{text}");
    }

    #[test]
    fn conflicts_hold_the_revision_back_and_say_how_to_record_it() {
        let planned =
            vec![Planned { path: "a.png".into(), change: Change::Conflict(Conflict::Unmergeable) }];
        let mut report = report(planned);
        report.dry_run = true;
        let text = report.render();
        assert_eq!(report.conflicts(), 1);
        assert!(text.contains("(dry run: nothing written)"), "{text}");
        assert!(text.contains("  CONFLICT  a.png (binary or .sqlx data"), "{text}");
        assert!(text.contains("1 conflict\n"), "{text}");
        assert!(
            text.ends_with("revision: would not be recorded, because of the conflicts above\n")
        );
        report.dry_run = false;
        let text = report.render();
        assert!(text.contains("--base fedcba987654 --to fedcba987654"), "{text}");
    }
}
