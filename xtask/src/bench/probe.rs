//! Small tools the benchmarks share: `wrk` runs and their parsing, the machine they ran on, and
//! the resident memory of a process. The HTTP client is [`crate::http`].

use std::process::Command;

use crate::cmd;

/// What `wrk --latency` reported.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct WrkReport {
    /// Requests per second.
    pub(crate) requests_per_second: f64,
    /// Median latency, in milliseconds.
    pub(crate) p50_ms: f64,
    /// 99th percentile latency, in milliseconds.
    pub(crate) p99_ms: f64,
    /// Responses that were not 2xx or 3xx.
    pub(crate) non_2xx: u64,
    /// Connect, read, write and timeout errors, added up.
    pub(crate) socket_errors: u64,
}

impl WrkReport {
    /// Why the run's figures cannot stand, if they cannot: a run that got any answer but a
    /// success, or lost any connection, measured something else than the route.
    #[must_use]
    pub(crate) fn invalid_because(&self) -> Option<String> {
        match (self.non_2xx, self.socket_errors) {
            (0, 0) => None,
            (answers, errors) => Some(format!("{answers} non-2xx answers, {errors} socket errors")),
        }
    }

    /// `req/s, p50, p99`, or the reason the run is invalid.
    #[must_use]
    pub(crate) fn summary(&self) -> String {
        let (rate, p50, p99) = (self.requests_per_second, self.p50_ms, self.p99_ms);
        let figures = format!("{rate:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms");
        match self.invalid_because() {
            None => figures,
            Some(reason) => format!("INVALID ({reason}): {figures}"),
        }
    }
}

/// The machine the figures come from: its core count and load average, printed before a
/// benchmark starts, since these machines are shared and noisy.
#[must_use]
pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("machine: {cores} cores, load average {} (1, 5, 15 min)", load.join(" "))
}

/// CPU seconds (user + system) used so far by this process's finished children and theirs:
/// `cutime` and `cstime` of `/proc/self/stat`, in clock ticks of 1/100 s. On a shared machine
/// the CPU time of a build moves far less with the load than its wall time does.
#[must_use]
pub(crate) fn children_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<f64>().ok();
    Some((ticks(13)? + ticks(14)?) / 100.0)
}

/// A `wrk` command with the usual arguments.
#[must_use]
pub(crate) fn wrk(connections: u32, seconds: u32, url: &str) -> Command {
    let mut command = Command::new("wrk");
    command.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", url]);
    command
}

/// Runs `wrk` and parses its report.
///
/// # Errors
/// Fails when wrk is missing or its output is not understood.
pub(crate) fn run_wrk(command: &mut Command) -> cmd::Result<WrkReport> {
    parse_wrk(&cmd::output(command)?)
}

/// Parses `Requests/sec`, the `50%` and `99%` latency lines and `Non-2xx` responses.
///
/// # Errors
/// Fails when the throughput line is missing.
pub(crate) fn parse_wrk(output: &str) -> cmd::Result<WrkReport> {
    let mut report = WrkReport::default();
    for line in output.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(value)) => {
                report.requests_per_second = value.parse().unwrap_or(0.0);
            }
            (Some("50%"), Some(value)) => report.p50_ms = milliseconds(value),
            (Some("99%"), Some(value)) => report.p99_ms = milliseconds(value),
            (Some("Non-2xx"), _) => {
                report.non_2xx = line.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
            (Some("Socket"), Some("errors:")) => report.socket_errors = socket_errors(line),
            _ => {}
        }
    }
    if report.requests_per_second == 0.0 {
        return Err(cmd::Error::new(format!("cannot read wrk's report:\n{output}")));
    }
    Ok(report)
}

/// The sum of `Socket errors: connect 0, read 2, write 0, timeout 5`.
fn socket_errors(line: &str) -> u64 {
    let counts = line.split([' ', ',']).filter_map(|word| word.parse::<u64>().ok());
    counts.sum()
}

/// `812.00us`, `4.53ms` or `1.20s` in milliseconds.
fn milliseconds(value: &str) -> f64 {
    let (number, factor) = if let Some(us) = value.strip_suffix("us") {
        (us, 0.001)
    } else if let Some(ms) = value.strip_suffix("ms") {
        (ms, 1.0)
    } else {
        (value.trim_end_matches('s'), 1000.0)
    };
    number.parse::<f64>().unwrap_or(f64::NAN) * factor
}

/// Resident memory of `pid` in MiB: `VmRSS` now, or `VmHWM` (the peak) when `peak` is set.
///
/// # Errors
/// Fails when `/proc/<pid>/status` cannot be read.
pub(crate) fn resident_mib(pid: u32, field: MemoryField) -> cmd::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let key = match field {
        MemoryField::Current => "VmRSS:",
        MemoryField::Peak => "VmHWM:",
    };
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .ok_or_else(|| cmd::Error::new(format!("no {key} for process {pid}")))?;
    Ok(kib / 1024.0)
}

/// Which resident-memory figure to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemoryField {
    /// Resident now.
    Current,
    /// The highest resident size so far.
    Peak,
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 10s test @ http://127.0.0.1:8080/health/live
  2 threads and 50 connections
  Latency Distribution
     50%  812.00us
     75%    1.10ms
     90%    2.00ms
     99%    4.53ms
  180000 requests in 10.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 5
  Non-2xx or 3xx responses: 12
Requests/sec:  18000.50
Transfer/sec:      3.00MB";

    #[test]
    fn wrk_reports_are_parsed() {
        let report = parse_wrk(WRK).unwrap();
        assert!((report.requests_per_second - 18_000.5).abs() < 1e-9);
        assert!((report.p50_ms - 0.812).abs() < 1e-9);
        assert!((report.p99_ms - 4.53).abs() < 1e-9);
        assert_eq!((report.non_2xx, report.socket_errors), (12, 7));
        assert!(report.summary().starts_with("INVALID (12 non-2xx answers, 7 socket errors)"));
        let clean = WrkReport { non_2xx: 0, socket_errors: 0, ..report };
        assert_eq!(clean.invalid_because(), None);
        assert!(machine().contains("cores, load average"));
        assert!((milliseconds("1.20s") - 1200.0).abs() < 1e-9);
        assert!(parse_wrk("garbage").is_err());
    }

    #[test]
    fn the_cpu_time_of_finished_children_is_counted() {
        let before = children_cpu_seconds().unwrap();
        let spin = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done";
        let status = Command::new("sh").args(["-c", spin]).status().unwrap();
        assert!(status.success());
        let after = children_cpu_seconds().unwrap();
        assert!(after > before, "{before} -> {after}");
    }

    #[test]
    fn our_own_memory_is_readable() {
        let current = resident_mib(std::process::id(), MemoryField::Current).unwrap();
        let peak = resident_mib(std::process::id(), MemoryField::Peak).unwrap();
        assert!(current > 0.0 && peak >= current, "{current} {peak}");
    }
}
