//! What every component's settings share: the error that names the variable at fault, and the
//! checks of numbers and durations. It names no other module, so each component can validate
//! its own settings without reaching the `config` module, which only reads the environment
//! into them.

use std::time::Duration;

/// Why the configuration was rejected. The message always names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub(crate) variable: String,
    /// What is wrong with it.
    pub(crate) message: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &str, message: impl Into<String>) -> Self {
        Self { variable: variable.to_owned(), message: message.into() }
    }
}

/// A positive number of milliseconds, `default` when unset.
pub(crate) fn millis(
    variable: &str,
    value: Option<u64>,
    default: u64,
) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(positive(variable, value.unwrap_or(default))?))
}

/// A positive number of seconds, `default` when unset.
pub(crate) fn secs(
    variable: &str,
    value: Option<u64>,
    default: u64,
) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(positive(variable, value.unwrap_or(default))?))
}

/// A number that must be at least 1.
pub(crate) fn positive<T: Default + PartialEq>(variable: &str, value: T) -> Result<T, ConfigError> {
    if value == T::default() {
        return Err(ConfigError::new(variable, "must be greater than 0"));
    }
    Ok(value)
}
