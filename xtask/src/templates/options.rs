//! The options of `cargo xtask templates`: which template, and how many test-suite runs.

use super::Template;
use crate::{cmd, flags};

/// Command-line options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these templates, separated by commas (`rest`, or `template-rest`; `rest,realtime`).
    pub only: Option<String>,
    /// How many times each generated project's test suite runs (`--repeat N`, default 1).
    pub repeat: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { only: None, repeat: 1 }
    }
}

const USAGE: &str = "usage: cargo xtask templates [--only TEMPLATE[,TEMPLATE...]] [--repeat N]";

impl Options {
    /// Parses `[--only TEMPLATE[,TEMPLATE...]] [--repeat N]`.
    ///
    /// # Errors
    /// Fails on unknown arguments, and on a repeat count that is not a positive number.
    pub fn from_args(args: &[String]) -> cmd::Result<Self> {
        let mut options = Self::default();
        for (flag, value) in flags::pairs(args, USAGE)? {
            match flag {
                "--only" => options.only = Some(value.to_owned()),
                "--repeat" => options.repeat = flags::positive_number(value, USAGE)?,
                _ => return Err(cmd::Error::new(USAGE)),
            }
        }
        Ok(options)
    }

    pub(super) fn selects(&self, template: &Template) -> bool {
        self.only.as_deref().is_none_or(|only| {
            only.split(',').any(|name| name == template.dir || name == template.short_name())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> cmd::Result<Options> {
        Options::from_args(&flags::owned(args))
    }

    #[test]
    fn options_take_a_template_and_a_repeat_count_in_any_order() {
        let options = parse(&["--repeat", "20", "--only", "realtime"]).unwrap();
        assert_eq!((options.only.as_deref(), options.repeat), (Some("realtime"), 20));
        assert_eq!(parse(&[]).unwrap().repeat, 1);
    }

    #[test]
    fn only_takes_several_templates_separated_by_commas() {
        let template = |dir: &str| Template { dir: dir.into(), placeholders: Vec::new() };
        let options = parse(&["--only", "rest,template-realtime"]).unwrap();
        assert!(options.selects(&template("template-rest")));
        assert!(options.selects(&template("template-realtime")));
        assert!(!options.selects(&template("template-microservice")));
        assert!(!parse(&["--only", "rest"]).unwrap().selects(&template("template-realtime")));
    }

    #[test]
    fn a_bad_repeat_count_or_flag_is_refused() {
        for args in [&["--repeat", "0"][..], &["--repeat", "x"], &["--repeat"], &["--fast", "1"]] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
