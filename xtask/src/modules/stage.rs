//! `cargo xtask modules`, a stage of `ci`: the proof that every module travels. A fresh
//! `cargo new` binary with axum and tokio gets every module through [`super::add::add`] (the
//! code behind `cargo xtask add`), its wiring ([`super::app`]), then `cargo clippy --all-targets
//! -D warnings` with the default features and with all of them (the features `add` declared:
//! ratelimit's `redis`, problem's `openapi`), `cargo test --all-features` (the modules' own
//! tests, inside the app, the Redis store's against the Redis on loopback; a crate module's in
//! its own folder), and a run with the requests of the fixture's `smoke.txt`, built with the
//! default features. A module that needs something of its template that its `MODULE.md` does
//! not declare fails to build here.
//!
//! The app lives at `<tmp>/xtask-modules/modules-app`, made afresh each run at the same path,
//! and builds in `<target>/modules`, so that a second run is warm.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::subscriber::Subscriber;
use super::{Kind, Module, app};
use crate::{checks, cmd, http};

/// Runs the stage.
pub(crate) fn run() -> cmd::Result {
    let root = cmd::workspace_root();
    let modules = super::discover(&root)?;
    let app = std::env::temp_dir().join("xtask-modules").join("modules-app");
    let target = checks::target_dir().join("modules");
    step("new", || new_app(&app))?;
    step("add", || add_all(&root, &modules, &app))?;
    app::write(&root, &app, &modules)?;
    let clippy = ["clippy", "--all-targets", "--quiet", "--", "-D", "warnings"];
    step("clippy", || cmd::run(cargo(&app, &target).args(clippy)))?;
    let all_features =
        ["clippy", "--all-targets", "--quiet", checks::FEATURES, "--", "-D", "warnings"];
    step("clippy --all-features", || cmd::run(cargo(&app, &target).args(all_features)))?;
    let test = ["test", "--quiet", checks::FEATURES];
    step("test", || cmd::run(cargo(&app, &target).args(test)))?;
    for module in modules.iter().filter(|module| module.kind == Kind::Crate) {
        let folder = app.join(&module.name);
        step(&format!("test {}", module.name), || {
            cmd::run(cargo(&folder, &target).args(["test", "--quiet"]))
        })?;
    }
    step("smoke", || smoke(&root, &app, &target))
}

/// Runs one step, printing its name and time.
fn step(name: &str, body: impl FnOnce() -> cmd::Result) -> cmd::Result {
    let (result, took) = cmd::timed(body);
    let status = if result.is_ok() { "passed" } else { "FAILED" };
    eprintln!("modules: {name} {status} in {}", cmd::format_duration(took));
    result
}

/// A `cargo` command in `dir`, building in `target`.
fn cargo(dir: &Path, target: &Path) -> Command {
    let mut command = cmd::cargo();
    command.current_dir(dir).env("CARGO_TARGET_DIR", target);
    command
}

/// `cargo new` at `app` (emptied first), then axum and tokio, as an app someone already has.
fn new_app(app: &Path) -> cmd::Result {
    if app.exists() {
        std::fs::remove_dir_all(app)?;
    }
    std::fs::create_dir_all(app.parent().unwrap_or(app))?;
    cmd::run(
        cmd::cargo()
            .args(["new", "--quiet", "--bin", "--vcs", "none", "--name", "modules-app"])
            .arg(app),
    )?;
    let add =
        |args: &[&str]| cmd::output(cmd::cargo().current_dir(app).arg("add").args(args)).map(drop);
    add(&["axum@0.8"])?;
    add(&["tokio@1", "--features", "macros,rt-multi-thread,net"])
}

/// Every module, with the code of `cargo xtask add`; its report printed.
fn add_all(root: &Path, modules: &[Module], app: &Path) -> cmd::Result {
    for module in modules {
        let report = super::add::add(root, module, app, false)?;
        eprint!("modules: add {}\n{report}", module.name);
    }
    Ok(())
}

/// Builds and starts the app, and makes the fixture's requests.
fn smoke(root: &Path, app: &Path, target: &Path) -> cmd::Result {
    cmd::run(cargo(app, target).args(["build", "--quiet"]))?;
    let requests = std::fs::read_to_string(root.join(app::FIXTURE).join("smoke.txt"))?;
    let running = Running::start(&target.join("debug").join("modules-app"))?;
    http::wait_for_200(running.address, "/items/1", Instant::now(), Duration::from_mins(1))?;
    let mut subscribers = Vec::new();
    for line in requests.lines().filter(|line| !line.is_empty() && !line.starts_with('#')) {
        match line.strip_prefix("& ") {
            Some(line) => subscribers.push(subscribe(running.address, line)?),
            None => check(running.address, line)?,
        }
    }
    subscribers.into_iter().try_for_each(Subscriber::finish)
}

/// One line of `smoke.txt`: `METHOD PATH STATUS TEXT...`, where TEXT (spaces allowed) is what
/// the body must contain, then optionally ` <= BODY`, the request's JSON body. A line that
/// starts with `& ` is a subscriber (see [`super::subscriber`]).
#[derive(Debug, PartialEq, Eq)]
struct Expectation<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
    text: &'a str,
    body: &'a str,
}

impl<'a> Expectation<'a> {
    fn parse(line: &'a str) -> cmd::Result<Self> {
        let (line, body) = line.split_once(" <= ").unwrap_or((line, ""));
        let mut words = line.splitn(4, ' ');
        let (method, path) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
        let status = words.next().and_then(|status| status.parse().ok());
        let status =
            status.ok_or_else(|| cmd::Error::new(format!("smoke.txt: no status in `{line}`")))?;
        Ok(Self { method, path, status, text: words.next().unwrap_or_default(), body })
    }
}

/// Opens the subscriber of one `smoke.txt` line that started with `& `.
fn subscribe(address: SocketAddr, line: &str) -> cmd::Result<Subscriber> {
    let Expectation { method, path, status, text, .. } = Expectation::parse(line)?;
    Subscriber::open(address, &format!("{method} {path}"), status, text)
}

/// Makes the request of one `smoke.txt` line and checks the answer.
fn check(address: SocketAddr, line: &str) -> cmd::Result {
    let Expectation { method, path, status, text, body } = Expectation::parse(line)?;
    let response = http::request(address, &format!("{method} {path} HTTP/1.1"), body)?;
    eprintln!("modules: {method} {path} -> {}", response.status);
    if response.status == status && response.body.contains(text) {
        return Ok(());
    }
    Err(cmd::Error::new(format!(
        "{method} {path}: expected {status} with `{text}`, got {}: {:.300}",
        response.status, response.body
    )))
}

/// The app, running on a free port; stopped when dropped.
struct Running {
    child: Child,
    address: SocketAddr,
}

impl Running {
    fn start(binary: &Path) -> cmd::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Command::new(binary);
        command.env("PORT", port.to_string()).stdout(Stdio::null());
        let child = command.spawn().map_err(|error| {
            cmd::Error::new(format!("cannot start {}: {error}", binary.display()))
        })?;
        Ok(Self { child, address: SocketAddr::from(([127, 0, 0, 1], port)) })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoke_lines_name_a_request_a_status_and_a_text_with_spaces() {
        let expectation = Expectation::parse("GET /quote 200 price 42, circuit closed").unwrap();
        let expected = Expectation {
            method: "GET",
            path: "/quote",
            status: 200,
            text: "price 42, circuit closed",
            body: "",
        };
        assert_eq!(expectation, expected);
        assert!(Expectation::parse("GET /quote ok").is_err());
        let publish = Expectation::parse(r#"POST /rooms/a/messages 200 published 1 <= {"a":1}"#);
        let publish = publish.unwrap();
        assert_eq!((publish.text, publish.body), ("published 1", r#"{"a":1}"#));
    }

    #[test]
    fn the_fixture_s_lines_all_parse() {
        let text =
            std::fs::read_to_string(cmd::workspace_root().join(app::FIXTURE).join("smoke.txt"))
                .unwrap();
        let lines = text.lines().filter(|line| !line.is_empty() && !line.starts_with('#'));
        let lines = lines.map(|line| line.strip_prefix("& ").unwrap_or(line));
        assert!(lines.map(Expectation::parse).all(|parsed| parsed.is_ok()));
    }
}
