//! The options of `cargo xtask bench build`: which forms, which profiles, and an earlier
//! project to build beside them.

use std::path::PathBuf;

use crate::cmd;
use crate::flags::{self, positive_number};

const USAGE: &str = "usage: cargo xtask bench build [--only T[:VALUE]...[,T[:VALUE]...]] \
                     [--profile debug|release] [--against PATH] [--rounds N]";

/// What to build, how often, and against what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Options {
    /// The forms to build; every form when empty.
    pub(super) only: Vec<Form>,
    /// The profiles to build each form in, in order (default: debug, then release).
    pub(super) profiles: Vec<Profile>,
    /// An earlier generated project, built from clean alternately with each form, so that a
    /// change is measured before and after on the same machine at the same time.
    pub(super) against: Option<PathBuf>,
    /// Clean builds of each side per profile (default 1).
    pub(super) rounds: usize,
}

/// One form asked for with `--only`: a template's short name (`rest`) and, optionally, values
/// its placeholders must have (`rest:sqlite`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Form {
    template: String,
    values: Vec<String>,
}

impl Form {
    /// Whether the template `short_name` generated with placeholder `values` is this form.
    #[must_use]
    pub(super) fn matches(&self, short_name: &str, values: &[&str]) -> bool {
        let template = self.template.strip_prefix("template-").unwrap_or(&self.template);
        template == short_name && self.values.iter().all(|value| values.contains(&value.as_str()))
    }
}

/// A cargo build profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Profile {
    /// `cargo build`.
    Debug,
    /// `cargo build --release`.
    Release,
}

impl Profile {
    /// Its name, as cargo's target directory has it.
    #[must_use]
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

impl Options {
    /// Reads the arguments after `build`.
    ///
    /// # Errors
    /// On an unknown option, a missing value, or a value that does not parse.
    pub(super) fn parse(args: &[String]) -> cmd::Result<Self> {
        let mut options = Self {
            only: Vec::new(),
            profiles: vec![Profile::Debug, Profile::Release],
            against: None,
            rounds: 1,
        };
        for (flag, value) in flags::pairs(args, USAGE)? {
            match flag {
                "--only" => options.only.extend(forms(value)?),
                "--profile" => options.profiles = vec![profile(value)?],
                "--against" => options.against = Some(PathBuf::from(value)),
                "--rounds" => options.rounds = positive_number(value, USAGE)?,
                _ => return Err(cmd::Error::new(USAGE)),
            }
        }
        Ok(options)
    }

    /// Whether the template `short_name` with placeholder `values` is to be built.
    #[must_use]
    pub(super) fn wants(&self, short_name: &str, values: &[&str]) -> bool {
        self.only.is_empty() || self.only.iter().any(|form| form.matches(short_name, values))
    }
}

/// `rest:sqlite,realtime` as forms.
fn forms(value: &str) -> cmd::Result<Vec<Form>> {
    value
        .split(',')
        .map(|form| {
            let mut parts = form.split(':').map(str::to_owned);
            let template = parts.next().unwrap_or_default();
            let values: Vec<String> = parts.collect();
            if template.is_empty() || values.iter().any(String::is_empty) {
                return Err(cmd::Error::new(format!("`{form}` is not a form\n{USAGE}")));
            }
            Ok(Form { template, values })
        })
        .collect()
}

fn profile(value: &str) -> cmd::Result<Profile> {
    match value {
        "debug" | "dev" => Ok(Profile::Debug),
        "release" => Ok(Profile::Release),
        _ => Err(cmd::Error::new(format!("`{value}` is not debug or release\n{USAGE}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> cmd::Result<Options> {
        Options::parse(&flags::owned(args))
    }

    #[test]
    fn by_default_every_form_is_built_in_both_profiles_once() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.profiles, [Profile::Debug, Profile::Release]);
        assert_eq!((options.against.clone(), options.rounds), (None, 1));
        assert!(options.wants("rest", &["postgres"]));
        assert!(options.wants("microservice", &[]));
    }

    #[test]
    fn only_keeps_the_named_templates_and_values() {
        let options = parse(&["--only", "rest:sqlite,realtime", "--only", "microservice"]).unwrap();
        assert!(options.wants("rest", &["sqlite"]));
        assert!(!options.wants("rest", &["postgres"]));
        assert!(options.wants("realtime", &["nats"]));
        assert!(options.wants("microservice", &[]));
        let prefixed = parse(&["--only", "template-realtime:redis"]).unwrap();
        assert!(prefixed.wants("realtime", &["redis"]));
        assert!(!prefixed.wants("realtime", &["memory"]));
        assert!(!prefixed.wants("rest", &["sqlite"]));
    }

    #[test]
    fn profile_against_and_rounds_parse() {
        let options =
            parse(&["--profile", "release", "--against", "/base", "--rounds", "3"]).unwrap();
        assert_eq!(options.profiles, [Profile::Release]);
        assert_eq!(options.against, Some(PathBuf::from("/base")));
        assert_eq!(options.rounds, 3);
        assert_eq!(parse(&["--profile", "debug"]).unwrap().profiles, [Profile::Debug]);
        assert_eq!(Profile::Release.name(), "release");
    }

    #[test]
    fn bad_options_are_refused() {
        let bad: [&[&str]; 7] = [
            &["--only"],
            &["--only", ""],
            &["--only", "rest:"],
            &["--profile", "fast"],
            &["--rounds", "0"],
            &["--rounds", "x"],
            &["--colour", "red"],
        ];
        for args in bad {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
