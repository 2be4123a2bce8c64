//! The RustSec advisory-db snapshot: files with no git history, plus a `SNAPSHOT` note naming the
//! upstream revision and its date.
//!
//! cargo-deny opens its database only as a git checkout, and judges freshness by the checkout's
//! `HEAD` commit time or `.git/HEAD` file time, whichever is newer. So [`install`] copies the
//! snapshot into a fresh repository, commits it with the snapshot's date, and dates `.git/HEAD`
//! the same way: the staleness that cargo-deny sees is the snapshot's true age.

use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::cmd;

/// What the `SNAPSHOT` note says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// The upstream commit the files come from.
    pub(crate) revision: String,
    /// Its date, as `YYYY-MM-DD`.
    pub(crate) date: String,
    /// Its date, as days since 1970-01-01.
    pub(crate) days: u64,
}

impl Snapshot {
    /// Reads `SNAPSHOT` in `dir`.
    pub(crate) fn read(dir: &Path) -> cmd::Result<Self> {
        let path = dir.join("SNAPSHOT");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| cmd::Error::new(format!("{}: {error}", path.display())))?;
        Self::parse(&text).ok_or_else(|| {
            let expected = "a line `Upstream revision: <sha> (YYYY-MM-DD)`";
            cmd::Error::new(format!("{}: expected {expected}", path.display()))
        })
    }

    /// Parses the `Upstream revision: <sha> (YYYY-MM-DD).` line.
    fn parse(text: &str) -> Option<Self> {
        let line = text.lines().find_map(|line| line.strip_prefix("Upstream revision:"))?;
        let (revision, rest) = line.trim().split_once(' ')?;
        let date = rest.trim().strip_prefix('(')?.split(')').next()?;
        let days = days_since_epoch(date)?;
        Some(Self { revision: revision.to_owned(), date: date.to_owned(), days })
    }

    /// How many days old the snapshot is today.
    pub(crate) fn age_in_days(&self) -> u64 {
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        (now.as_secs() / 86_400).saturating_sub(self.days)
    }

    fn time(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.days * 86_400)
    }
}

/// Makes `db` a git checkout of the snapshot in `source`, unless it already is one of it.
pub(crate) fn install(source: &Path, db: &Path, snapshot: &Snapshot) -> cmd::Result {
    let stamp = db.join(".git/xtask-snapshot");
    if std::fs::read_to_string(&stamp).is_ok_and(|revision| revision == snapshot.revision) {
        return Ok(());
    }
    if db.exists() {
        std::fs::remove_dir_all(db)?;
    }
    std::fs::create_dir_all(db)?;
    cmd::run(Command::new("cp").arg("-R").arg(source.join(".")).arg(db))?;
    commit(db, snapshot)?;
    let head = File::options().write(true).open(db.join(".git/HEAD"))?;
    head.set_modified(snapshot.time())?;
    std::fs::write(stamp, &snapshot.revision)?;
    Ok(())
}

/// Commits every file of `db` in a new repository, dated like the snapshot.
fn commit(db: &Path, snapshot: &Snapshot) -> cmd::Result {
    const SETTINGS: [&str; 8] = [
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "user.name=xtask",
        "-c",
        "user.email=xtask@localhost",
        "-c",
        "commit.gpgsign=false",
    ];
    let date = format!("{}T00:00:00Z", snapshot.date);
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command.current_dir(db).args(SETTINGS).args(args);
        command.env("GIT_AUTHOR_DATE", &date).env("GIT_COMMITTER_DATE", &date);
        cmd::output(&mut command).map(drop)
    };
    git(&["init", "--quiet", "--initial-branch=main"])?;
    git(&["add", "--all"])?;
    let message = format!("RustSec snapshot {}", snapshot.revision);
    git(&["commit", "--quiet", "--message", &message])
}

/// Days from 1970-01-01 to a `YYYY-MM-DD` date of the Gregorian calendar, from 1970 on.
fn days_since_epoch(date: &str) -> Option<u64> {
    let mut parts = date.split('-').map(|part| part.parse::<u64>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if year < 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let year_days: u64 = (1970..year).map(|year| if is_leap(year) { 366 } else { 365 }).sum();
    let month_days: u64 = (1..month).map(|month| month_length(year, month)).sum();
    Some(year_days + month_days + day - 1)
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn month_length(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str = "RustSec advisory database snapshot.\n\
                        Upstream revision: bf5c0d245a92 (2026-08-21).\nMore text.\n";

    #[test]
    fn the_note_gives_revision_and_date() {
        let snapshot = Snapshot::parse(NOTE).unwrap();
        assert_eq!(snapshot.revision, "bf5c0d245a92");
        assert_eq!(snapshot.date, "2026-08-21");
        assert!(Snapshot::parse("no revision here").is_none());
        assert!(Snapshot::parse("Upstream revision: abc (2026-13-01).").is_none());
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(days_since_epoch("1970-01-01"), Some(0));
        assert_eq!(days_since_epoch("2000-03-01"), Some(11_017));
        assert_eq!(days_since_epoch("2026-08-21"), Some(20_686));
    }

    #[test]
    fn install_makes_a_dated_checkout_and_is_idempotent() {
        let base = std::env::temp_dir().join(format!("xtask-snapshot-{}", std::process::id()));
        let (source, db) = (base.join("source"), base.join("db"));
        std::fs::create_dir_all(source.join("crates/demo")).unwrap();
        std::fs::write(source.join("crates/demo/RUSTSEC-2020-0001.md"), "advisory").unwrap();
        let snapshot = Snapshot::parse(NOTE).unwrap();
        install(&source, &db, &snapshot).unwrap();
        install(&source, &db, &snapshot).unwrap();
        let log = cmd::output(Command::new("git").current_dir(&db).args(["log", "--format=%cI"]));
        assert!(log.unwrap().starts_with("2026-08-21T00:00:00"));
        assert!(db.join("crates/demo/RUSTSEC-2020-0001.md").is_file());
        let head_time = std::fs::metadata(db.join(".git/HEAD")).unwrap().modified().unwrap();
        assert_eq!(head_time, snapshot.time());
        std::fs::remove_dir_all(base).unwrap();
    }
}
