//! The options of `cargo xtask bench realtime`.

use std::path::PathBuf;

use crate::cmd;
use crate::flags::{self, positive_number};

const USAGE: &str =
    "usage: cargo xtask bench realtime [--rounds N] [--seconds S] [--rates R,R...] [--before PATH]";

/// How long to load the node, at which rates, and what to run beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Options {
    /// Runs of every side in turn (default 1).
    pub(super) rounds: usize,
    /// Seconds of each rate step (default 5).
    pub(super) seconds: u32,
    /// The publication rates, in messages a second, one step each (default 25,50,100,200).
    pub(super) rates: String,
    /// An earlier release build of the node, loaded alternately with the current one.
    pub(super) before: Option<PathBuf>,
}

impl Options {
    /// Reads the arguments after `realtime`.
    ///
    /// # Errors
    /// On an unknown option or a value that does not parse.
    pub(super) fn parse(args: &[String]) -> cmd::Result<Self> {
        let mut options =
            Self { rounds: 1, seconds: 5, rates: "25,50,100,200".to_owned(), before: None };
        for (flag, value) in flags::pairs(args, USAGE)? {
            match flag {
                "--rounds" => options.rounds = positive_number(value, USAGE)?,
                "--seconds" => options.seconds = positive_number(value, USAGE)?,
                "--rates" => options.rates = rates(value)?,
                "--before" => options.before = Some(PathBuf::from(value)),
                _ => return Err(cmd::Error::new(USAGE)),
            }
        }
        Ok(options)
    }
}

/// `25,50` as given, once every entry is a positive number.
fn rates(list: &str) -> cmd::Result<String> {
    for rate in list.split(',') {
        positive_number::<u32>(rate, USAGE)?;
    }
    Ok(list.to_owned())
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
        assert_eq!((defaults.rounds, defaults.seconds), (1, 5));
        assert_eq!((defaults.rates.as_str(), defaults.before), ("25,50,100,200", None));
        let options =
            parse(&["--rounds", "2", "--seconds", "8", "--rates", "50,100", "--before", "/x"])
                .unwrap();
        assert_eq!((options.rounds, options.seconds, options.rates.as_str()), (2, 8, "50,100"));
        assert_eq!(options.before, Some(PathBuf::from("/x")));
    }

    #[test]
    fn unknown_missing_and_bad_values_are_refused_with_the_usage() {
        for args in [&["--speed", "1"][..], &["--rounds"], &["--rounds", "0"], &["--rates", "5,x"]]
        {
            let error = parse(args).unwrap_err().to_string();
            assert!(error.contains("usage: cargo xtask bench realtime"), "{args:?}: {error}");
        }
    }
}
