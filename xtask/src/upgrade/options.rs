//! The arguments of `cargo xtask upgrade`.

use std::path::PathBuf;

use crate::cmd;

/// The usage line, shown on a bad argument.
const USAGE: &str =
    "usage: cargo xtask upgrade --project <path> [--to <rev>] [--base <rev>] [--dry-run] [--force]";

/// Parsed arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Options {
    /// The generated project to upgrade.
    pub(crate) project: PathBuf,
    /// The revision to upgrade to; `HEAD` when absent.
    pub(crate) to: Option<String>,
    /// The revision the project was generated from, instead of the recorded one.
    pub(crate) base: Option<String>,
    /// Print what would happen; write nothing.
    pub(crate) dry_run: bool,
    /// Upgrade even with uncommitted changes in the project.
    pub(crate) force: bool,
}

impl Options {
    /// Parses the arguments after `upgrade`.
    ///
    /// # Errors
    /// Fails with the usage on an unknown or incomplete argument.
    pub(crate) fn parse(args: &[String]) -> cmd::Result<Self> {
        let mut options = Self::default();
        let mut project = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().cloned().ok_or_else(|| cmd::Error::new(USAGE));
            match arg.as_str() {
                "--project" => project = Some(PathBuf::from(value()?)),
                "--to" => options.to = Some(value()?),
                "--base" => options.base = Some(value()?),
                "--dry-run" => options.dry_run = true,
                "--force" => options.force = true,
                _ => return Err(cmd::Error::new(format!("unexpected `{arg}`\n{USAGE}"))),
            }
        }
        options.project = project.ok_or_else(|| cmd::Error::new(USAGE))?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn every_option_is_read_in_any_order() {
        let args = strings(&[
            "--dry-run",
            "--to",
            "v2",
            "--project",
            "../orders",
            "--base",
            "v1",
            "--force",
        ]);
        let options = Options::parse(&args).unwrap();
        assert_eq!(options.project, PathBuf::from("../orders"));
        assert_eq!(options.to.as_deref(), Some("v2"));
        assert_eq!(options.base.as_deref(), Some("v1"));
        assert!(options.dry_run && options.force);
        let minimal = Options::parse(&strings(&["--project", "p"])).unwrap();
        assert_eq!(minimal, Options { project: "p".into(), ..Options::default() });
    }

    #[test]
    fn bad_arguments_show_the_usage() {
        for args in [&[][..], &["--project"], &["--to", "HEAD"], &["--project", "p", "--merge"]] {
            let error = Options::parse(&strings(args)).unwrap_err().to_string();
            assert!(error.contains("usage: cargo xtask upgrade --project"), "{args:?}: {error}");
        }
    }
}
