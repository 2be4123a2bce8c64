//! `cargo xtask coverage`: the workspace's whole test suite, doctests included, run once with
//! coverage instrumentation, then line coverage per package, failing under [`MIN_PERCENT`] for
//! any template package (the circuit breaker included). xtask's row is shown but not gated: most
//! of it runs other programs.
//!
//! The tests that need PostgreSQL, Redis or NATS run here too, against the services on loopback.
//! `cargo test` runs under cargo-llvm-cov's environment (see [`environment`]) rather than as
//! `cargo llvm-cov test`, because only `cargo test` runs doctests on a stable toolchain; this is
//! why `ci` needs no separate test stage. The reports go to `<target>/coverage/`: `lcov.info`,
//! read by [`lcov`], and `html/index.html`.

pub(crate) mod environment;
pub(crate) mod lcov;

use std::path::Path;

use crate::checks::{self, FEATURES};
use crate::cmd;
use crate::workspace::packages;
use lcov::PackageCoverage;

/// The least line coverage, in percent, of every gated package.
const MIN_PERCENT: u64 = 85;

/// Runs the tests with coverage, prints the per-package table and fails under the minimum.
pub(crate) fn run() -> cmd::Result {
    let root = cmd::workspace_root();
    let out = checks::target_dir().join("coverage");
    std::fs::create_dir_all(&out)?;
    let environment = environment::Environment::new()?;
    cmd::run(&mut environment.llvm_cov(&["clean", "--workspace"]))?;
    let mut test = environment.cargo(&["test", "--workspace", FEATURES, "--no-fail-fast"]);
    cmd::run(&mut test)?;
    let lcov_path = out.join("lcov.info");
    cmd::run(environment.llvm_cov(&["report", "--lcov", "--output-path"]).arg(&lcov_path))?;
    cmd::run(environment.llvm_cov(&["report", "--html", "--output-dir"]).arg(&out))?;
    let files = lcov::parse(&std::fs::read_to_string(&lcov_path)?);
    let rows = lcov::per_package(&root, &packages::all(&root)?, &files);
    print!("{}", table(&rows));
    println!("HTML report: {}", out.join("html/index.html").display());
    verdict(&rows)
}

/// Whether a package's coverage is gated: every package inside a template.
fn is_gated(dir: &Path) -> bool {
    dir.components().next().is_some_and(|first| {
        first.as_os_str().to_str().is_some_and(|name| name.starts_with("template-"))
    })
}

fn table(rows: &[PackageCoverage]) -> String {
    let header = format!("{:<24} {:>7} {:>7} {:>7}  gate\n", "package", "lines", "covered", "%");
    let lines = rows.iter().map(|row| {
        let gate = match (is_gated(&row.dir), row.meets(MIN_PERCENT)) {
            (false, _) => "not gated".to_owned(),
            (true, true) => format!("ok (>= {MIN_PERCENT}%)"),
            (true, false) => format!("FAIL (< {MIN_PERCENT}%)"),
        };
        let (name, lines, covered, percent) = (&row.name, row.lines, row.covered, row.percent());
        format!("{name:<24} {lines:>7} {covered:>7} {percent:>7}  {gate}\n")
    });
    header + &lines.collect::<String>()
}

fn verdict(rows: &[PackageCoverage]) -> cmd::Result {
    let failing: Vec<String> = rows
        .iter()
        .filter(|row| is_gated(&row.dir) && !row.meets(MIN_PERCENT))
        .map(|row| format!("{} ({})", row.name, row.percent()))
        .collect();
    if failing.is_empty() {
        return Ok(());
    }
    let list = failing.join(", ");
    Err(cmd::Error::new(format!("line coverage under {MIN_PERCENT}%: {list}; see the HTML report")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(dir: &str, lines: u64, covered: u64) -> PackageCoverage {
        PackageCoverage {
            name: dir.rsplit('/').next().unwrap_or(dir).into(),
            dir: dir.into(),
            lines,
            covered,
        }
    }

    #[test]
    fn templates_are_gated_and_xtask_is_not() {
        assert!(is_gated(Path::new("template-microservice/circuit-breaker")));
        assert!(is_gated(Path::new("template-rest")));
        assert!(!is_gated(Path::new("xtask")));
    }

    #[test]
    fn a_template_under_the_minimum_fails_and_names_itself() {
        let rows = [row("template-rest", 100, 84), row("xtask", 100, 10)];
        let error = verdict(&rows).unwrap_err().to_string();
        assert!(error.contains("template-rest (84.0%)"), "{error}");
        assert!(!error.contains("xtask"), "{error}");
        assert!(table(&rows).contains("FAIL (< 85%)"));
    }

    #[test]
    fn templates_at_the_minimum_pass() {
        let rows =
            [row("template-rest", 100, 85), row("template-microservice/circuit-breaker", 0, 0)];
        assert!(verdict(&rows).is_ok());
        assert!(table(&rows).contains("ok (>= 85%)"));
    }
}
