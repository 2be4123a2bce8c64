//! Running external programs and timing stages, with errors that say what failed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The result of an xtask step.
pub(crate) type Result<T = ()> = std::result::Result<T, Error>;

/// Why a step failed, in words for the terminal.
#[derive(Debug)]
pub(crate) struct Error(String);

impl Error {
    /// An error with the given message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Self(error.to_string())
    }
}

/// The root of this repository (the parent of `xtask/`).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// A `cargo` command, honouring the `CARGO` variable that cargo sets for its children.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `command`, echoing it first, and fails unless it exits 0.
pub(crate) fn run(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|error| Error::new(format!("cannot start `{}`: {error}", describe(command))))?;
    if status.success() {
        return Ok(());
    }
    Err(Error::new(format!("`{}` failed ({status})", describe(command))))
}

/// Runs `command` and returns its standard output, failing unless it exits 0.
pub(crate) fn output(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .map_err(|error| Error::new(format!("cannot start `{}`: {error}", describe(command))))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::new(format!("`{}` failed: {stderr}", describe(command))));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether a program is on `PATH` (answers `--version`).
pub(crate) fn is_installed(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|out| out.status.success())
}

/// Runs `body`, returning its result and how long it took.
pub(crate) fn timed<T>(body: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = body();
    (value, start.elapsed())
}

/// Formats a duration as `1m05s` or `4.2s`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        return format!("{seconds:.1}s");
    }
    let whole = duration.as_secs();
    format!("{}m{:02}s", whole / 60, whole % 60)
}

fn describe(command: &Command) -> String {
    let program = command.get_program().to_string_lossy();
    let args: Vec<_> = command.get_args().map(|arg| arg.to_string_lossy()).collect();
    format!("{program} {}", args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(4_200)), "4.2s");
        assert_eq!(format_duration(Duration::from_secs(65)), "1m05s");
    }

    #[test]
    fn failing_command_names_itself() {
        let error = run(Command::new("false").arg("--flag")).unwrap_err();
        assert!(error.to_string().contains("false --flag"), "{error}");
    }

    #[test]
    fn output_returns_stdout() {
        assert_eq!(output(Command::new("echo").arg("hi")).unwrap(), "hi\n");
    }
}
