//! Command-line options of the form `--name value`, as the commands with options take them.

use crate::cmd;

/// The `(flag, value)` pairs of `args`, in order. What each flag means is the caller's.
///
/// # Errors
/// When the last flag has no value; the error is `usage`.
pub(crate) fn pairs<'a>(args: &'a [String], usage: &str) -> cmd::Result<Vec<(&'a str, &'a str)>> {
    args.chunks(2)
        .map(|pair| match pair {
            [flag, value] => Ok((flag.as_str(), value.as_str())),
            _ => Err(cmd::Error::new(usage)),
        })
        .collect()
}

/// `value` as a positive whole number; otherwise an error that ends with the command's `usage`.
///
/// # Errors
/// When `value` is not a number, or is zero.
pub(crate) fn positive_number<T: std::str::FromStr + Default + PartialEq>(
    value: &str,
    usage: &str,
) -> cmd::Result<T> {
    match value.parse::<T>() {
        Ok(number) if number != T::default() => Ok(number),
        _ => Err(cmd::Error::new(format!("`{value}` is not a positive number\n{usage}"))),
    }
}

/// `args` as the owned strings a command receives, for tests.
#[cfg(test)]
pub(crate) fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_pair_with_their_values_and_a_lone_flag_is_the_usage() {
        let args = owned(&["--a", "1", "--b", "x y"]);
        assert_eq!(pairs(&args, "usage").unwrap(), [("--a", "1"), ("--b", "x y")]);
        assert!(pairs(&[], "usage").unwrap().is_empty());
        let error = pairs(&owned(&["--a", "1", "--b"]), "usage: x").unwrap_err();
        assert_eq!(error.to_string(), "usage: x");
    }

    #[test]
    fn only_positive_numbers_pass() {
        assert_eq!(positive_number::<u32>("7", "u").unwrap(), 7);
        for bad in ["0", "-1", "x", ""] {
            let error = positive_number::<u32>(bad, "usage: y").unwrap_err().to_string();
            assert_eq!(error, format!("`{bad}` is not a positive number\nusage: y"));
        }
    }
}
