//! The tables `cargo xtask bench rest` prints.

use std::time::Duration;

use super::CONNECTIONS;
use super::options::Options;
use crate::bench::probe::WrkReport;

/// Everything measured, for the tables.
pub(super) struct Figures {
    pub(super) ready: Duration,
    /// The service's resident memory before any request, and after the first registration and
    /// login (two argon2id hashes).
    pub(super) idle_mib: f64,
    pub(super) seeded_mib: f64,
    /// The service first, the floor last, an earlier build between them when asked for.
    pub(super) sides: Vec<Side>,
    /// The service's peak resident memory after the login flood too.
    pub(super) flood_peak_mib: f64,
    pub(super) live: WrkReport,
    pub(super) logins: WrkReport,
    pub(super) reads_under_logins: WrkReport,
}

/// One side's runs, one per round, and its peak resident memory after them.
pub(super) struct Side {
    pub(super) name: &'static str,
    pub(super) runs: Vec<WrkReport>,
    pub(super) peak_mib: f64,
}

pub(super) fn print(figures: &Figures, options: &Options) {
    let sides = &figures.sides;
    let names: Vec<&str> = sides.iter().map(|side| side.name).collect();
    println!(
        "\nGET /api/v1/users/{{id}}, {CONNECTIONS} connections, {} s per run",
        options.seconds
    );
    println!("| round | {} |\n|---|{}", names.join(" | "), "---|".repeat(sides.len()));
    for round in 0..options.rounds {
        let runs: Vec<String> = sides.iter().map(|side| side.runs[round].summary()).collect();
        println!("| {} | {} |", round + 1, runs.join(" | "));
    }
    let medians: Vec<WrkReport> = sides.iter().map(|side| median(&side.runs)).collect();
    let summaries: Vec<String> = medians.iter().map(WrkReport::summary).collect();
    println!("| median | {} |", summaries.join(" | "));
    let peaks: Vec<String> = sides.iter().map(|side| format!("{:.1} MiB", side.peak_mib)).collect();
    println!("| peak resident memory | {} |", peaks.join(" | "));
    let floor = medians[medians.len() - 1];
    for (side, report) in sides.iter().zip(&medians).take(sides.len() - 1) {
        println!("{} / floor: {}", side.name, ratio(report, &floor));
    }
    println!("target: service ≥ 85% of the floor's req/s, p99 ≤ 1.25× the floor's");
    println!("\n| measure | result | target |\n|---|---|---|");
    for (measure, result, target) in other_rows(figures) {
        println!("| {measure} | {result} | {target} |");
    }
}

fn other_rows(figures: &Figures) -> [(&'static str, String, &'static str); 7] {
    let memory = format!("{:.1} MiB", figures.sides[0].peak_mib);
    let ready = format!("{:.1} ms", figures.ready.as_secs_f64() * 1000.0);
    let logins = format!("{:.0} logins/s", figures.logins.requests_per_second);
    [
        ("peak resident memory under read load", memory, "≤ 40 MB"),
        ("resident memory, idle", format!("{:.1} MiB", figures.idle_mib), "≤ 15 MB"),
        ("resident memory after 2 hashes", format!("{:.1} MiB", figures.seeded_mib), "-"),
        ("exec to the first 200 from /health/ready", ready, "≤ 100 ms"),
        ("GET /health/live, 50 connections", figures.live.summary(), "-"),
        ("logins (argon2id, 16 connections)", logins, "-"),
        (
            "GET /users/{id}, 10 connections, during the flood",
            format!(
                "{}; peak memory after {:.1} MiB",
                figures.reads_under_logins.summary(),
                figures.flood_peak_mib
            ),
            "p99 ≤ 20 ms",
        ),
    ]
}

/// A side's req/s as a share of the floor's, and its p99 as a multiple of the floor's.
fn ratio(side: &WrkReport, floor: &WrkReport) -> String {
    if side.invalid_because().is_some() || floor.invalid_because().is_some() {
        return "no ratio: a run is invalid".to_owned();
    }
    let share = side.requests_per_second / floor.requests_per_second * 100.0;
    format!("{share:.0}% of req/s, p99 × {:.2}", side.p99_ms / floor.p99_ms)
}

/// The median of each figure on its own (req/s, p50, p99: one slow round does not pick the
/// other figures); an invalid run anywhere makes the side invalid.
fn median(runs: &[WrkReport]) -> WrkReport {
    let middle = |figure: fn(&WrkReport) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(figure).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    WrkReport {
        requests_per_second: middle(|run| run.requests_per_second),
        p50_ms: middle(|run| run.p50_ms),
        p99_ms: middle(|run| run.p99_ms),
        non_2xx: runs.iter().map(|run| run.non_2xx).sum(),
        socket_errors: runs.iter().map(|run| run.socket_errors).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(requests_per_second: f64, p50_ms: f64, p99_ms: f64, non_2xx: u64) -> WrkReport {
        WrkReport { requests_per_second, p50_ms, p99_ms, non_2xx, socket_errors: 0 }
    }

    #[test]
    fn each_figure_has_its_own_median_and_errors_add_up() {
        let runs = [run(100.0, 3.0, 90.0, 0), run(300.0, 1.0, 10.0, 2), run(200.0, 2.0, 20.0, 0)];
        let middle = median(&runs);
        assert_eq!(middle, run(200.0, 2.0, 20.0, 2));
        assert!(middle.invalid_because().is_some(), "a run with errors spoils the median");
    }
}
