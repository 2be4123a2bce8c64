//! The options of `cargo xtask bench rest`.

use std::path::PathBuf;

use crate::cmd;
use crate::flags::{self, positive_number};

const USAGE: &str = "usage: cargo xtask bench rest [--rounds N] [--seconds S] [--before PATH] \
                     [--env KEY=VALUE]...";

/// How long to measure, and what else to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Options {
    /// Rounds of every side in turn (default 3).
    pub(super) rounds: usize,
    /// Seconds of load per run (default 10).
    pub(super) seconds: u32,
    /// An earlier build of the service, measured beside the current one.
    pub(super) before: Option<PathBuf>,
    /// Variables for the service under test only.
    pub(super) env: Vec<(String, String)>,
}

impl Options {
    /// Reads the arguments after `rest`.
    ///
    /// # Errors
    /// On an unknown option or a value that does not parse.
    pub(super) fn parse(args: &[String]) -> cmd::Result<Self> {
        let mut options = Self { rounds: 3, seconds: 10, before: None, env: Vec::new() };
        for (flag, value) in flags::pairs(args, USAGE)? {
            match flag {
                "--rounds" => options.rounds = positive_number(value, USAGE)?,
                "--seconds" => options.seconds = positive_number(value, USAGE)?,
                "--before" => options.before = Some(PathBuf::from(value)),
                "--env" => {
                    let (key, value) =
                        value.split_once('=').ok_or_else(|| cmd::Error::new(USAGE))?;
                    options.env.push((key.to_owned(), value.to_owned()));
                }
                _ => return Err(cmd::Error::new(USAGE)),
            }
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> cmd::Result<Options> {
        Options::parse(&flags::owned(args))
    }

    #[test]
    fn defaults_and_every_option_parse() {
        let defaults = parse(&[]).unwrap();
        assert_eq!((defaults.rounds, defaults.seconds, defaults.before), (3, 10, None));
        let options =
            parse(&["--rounds", "5", "--seconds", "4", "--before", "/x", "--env", "A=b=c"])
                .unwrap();
        assert_eq!((options.rounds, options.seconds), (5, 4));
        assert_eq!(options.before, Some(PathBuf::from("/x")));
        assert_eq!(options.env, [("A".to_owned(), "b=c".to_owned())]);
    }

    #[test]
    fn bad_options_are_refused() {
        for args in [&["--rounds"][..], &["--rounds", "0"], &["--color", "red"], &["--env", "A"]] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
