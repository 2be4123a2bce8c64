//! The upgrade rows of `cargo xtask templates`: for each selected template, a project generated
//! from the previous release is upgraded to `HEAD` and built ([`crate::upgrade::rehearsal`]);
//! with template-rest selected, the end-to-end upgrade test runs too (it is `#[ignore]`d in a
//! plain `cargo test` because it builds and tests a whole generated service).

use std::path::Path;

use super::{Row, Step, Template, outcome};
use crate::cmd;
use crate::upgrade::rehearsal;

/// The full name of the end-to-end test, for `cargo test --exact`.
const END_TO_END_TEST: &str =
    "upgrade::tests::end_to_end::an_edited_rest_service_upgrades_builds_and_passes_its_tests";

/// One row per template: its upgrade from the previous release, built.
pub(crate) fn rehearsal_row(root: &Path, template: &Template, target_dir: &Path) -> Row {
    let label = format!("{} upgraded to HEAD", template.dir);
    println!("[upgrade] {label}");
    let (result, elapsed) = cmd::timed(|| rehearsal::rehearse(root, template, target_dir));
    println!("    upgrade+build {}", outcome(result.as_ref().err(), elapsed));
    if let Ok(summary) = &result {
        println!("    {summary}");
    }
    Row {
        label,
        steps: vec![(Step::Build, elapsed)],
        runs: (0, 0),
        api: None,
        failure: result.err().map(|error| format!("upgrade: {error}")),
    }
}

/// The end-to-end upgrade test of template-rest, run with `cargo test -- --ignored`.
pub(crate) fn end_to_end_row(root: &Path) -> Row {
    let label = "template-rest end-to-end upgrade test".to_owned();
    println!("[upgrade] {label}");
    let mut command = cmd::cargo();
    command.current_dir(root).args(["test", "--quiet", "-p", "xtask", "--bin", "xtask", "--"]);
    command.args(["--ignored", "--exact", END_TO_END_TEST]);
    let (result, elapsed) = cmd::timed(|| cmd::run(&mut command));
    println!("    test {}", outcome(result.as_ref().err(), elapsed));
    Row {
        label,
        steps: vec![(Step::Test, elapsed)],
        runs: (u32::from(result.is_ok()), 1),
        api: None,
        failure: result.err().map(|error| format!("test: {error}")),
    }
}
