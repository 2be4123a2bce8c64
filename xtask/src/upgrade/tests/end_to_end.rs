//! The whole story on the real template-rest, in a scratch clone of this repository: generate a
//! service at one commit, edit it as its owner would (a new route, a changed configuration
//! default, a version bump), commit a template change (a new middleware, a dependency bump),
//! upgrade, then build the result, run its test suite, and call the owner's route through the
//! template's new middleware on the running service.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{git, replace, write};
use crate::generation::{Generation, Step, generate};
use crate::upgrade::plan::Change;
use crate::upgrade::provenance::Provenance;
use crate::upgrade::scratch::Scratch;
use crate::upgrade::{Options, Report, record_new_project, upgrade};

const PING_ROUTE: &str = "//! The owner's own route, added after generation.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// `GET /ping` answers `pong`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route(\"/ping\", axum::routing::get(|| async { \"pong\" }))
}
";

const SERVED_BY: &str = "//! Names the service in every response, in `x-served-by`.

use axum::http::{HeaderName, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;

/// Adds `x-served-by: <package>` to every response that has none.
pub fn layer() -> SetResponseHeaderLayer<HeaderValue> {
    let name = HeaderName::from_static(\"x-served-by\");
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(env!(\"CARGO_PKG_NAME\")))
}
";

#[test]
#[ignore = "slow: builds and tests a generated template-rest; `cargo xtask templates` runs it"]
fn an_edited_rest_service_upgrades_builds_and_passes_its_tests() {
    let scratch = Scratch::new("upgrade-end-to-end").unwrap();
    let repository = scratch.path().join("repository");
    let root = crate::cmd::workspace_root().to_string_lossy().into_owned();
    git(scratch.path(), &["clone", "--quiet", &root, &repository.to_string_lossy()]);
    let project = generate_service(&repository, &scratch.path().join("projects"));
    owner_edits(&project);
    let serde_json = template_change(&repository);
    let options = Options { project: project.clone(), ..Options::default() };
    let report = upgrade(&repository, &options).unwrap();
    println!("{}", report.render());
    assert_merged(&report, &serde_json);
    let target_dir = crate::checks::target_dir().join("generated");
    for step in [Step::Build, Step::Test] {
        step.run(&project, &target_dir).unwrap();
    }
    let answer = call_ping(&target_dir.join("debug/orders"), scratch.path());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-served-by: orders\r\n"), "{answer}");
    assert!(answer.ends_with("pong"), "{answer}");
}

/// The template's three changed files, and both sides' changes in the manifest.
fn assert_merged(report: &Report, serde_json: &str) {
    let changes: Vec<_> = report
        .planned
        .iter()
        .map(|item| (item.path.to_string_lossy().into_owned(), &item.change))
        .collect();
    let expected = ["Cargo.toml", "src/http/middleware/mod.rs", "src/http/middleware/served_by.rs"];
    let paths: Vec<_> = changes.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths, expected, "{}", report.render());
    assert!(matches!(changes[0].1, Change::Merged(_)));
    assert!(matches!(changes[1].1, Change::Updated(_)));
    assert!(matches!(changes[2].1, Change::Added(_)));
    let manifest = std::fs::read_to_string(report.project.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.2.0\""), "{manifest}");
    assert!(manifest.contains(&format!("serde_json = \"{serde_json}\"")), "{manifest}");
    let recorded = Provenance::read(&report.project).unwrap().revision;
    assert_eq!(recorded.as_deref(), Some(report.to.as_str()));
}

/// Generates template-rest as `cargo xtask new` does, and commits it in its own repository.
fn generate_service(repository: &Path, destination: &Path) -> PathBuf {
    let template = repository.join("template-rest");
    let generation = Generation { template: &template, name: "orders", defines: &[], destination };
    let project = generate(&generation).unwrap();
    record_new_project(repository, "template-rest", &project).unwrap();
    git(&project, &["init", "--quiet"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "--quiet", "-m", "generated"]);
    project
}

/// The owner adds a route, raises a configuration default and bumps the service's version.
fn owner_edits(project: &Path) {
    write(&project.join("src/http/ping.rs"), PING_ROUTE.as_bytes());
    let http = project.join("src/http/mod.rs");
    replace(&http, "pub(crate) mod openapi;\n", "pub(crate) mod openapi;\npub(crate) mod ping;\n");
    replace(
        &http,
        ".merge(health::routes())",
        ".merge(health::routes())\n        .merge(ping::routes())",
    );
    let config = project.join("src/config/http.rs");
    replace(
        &config,
        "raw.max_connections.unwrap_or(10_000)",
        "raw.max_connections.unwrap_or(20_000)",
    );
    replace(&config, "(`MAX_CONNECTIONS`, default 10000)", "(`MAX_CONNECTIONS`, default 20000)");
    replace(&project.join("Cargo.toml"), "version = \"0.1.0\"", "version = \"0.2.0\"");
    git(project, &["add", "--all"]);
    git(project, &["commit", "--quiet", "-m", "ping route, more connections, 0.2.0"]);
}

/// The template gets a middleware and a higher `serde_json` floor (the version in the
/// repository's lock file, so that nothing new is downloaded); returns that version.
fn template_change(repository: &Path) -> String {
    let template = repository.join("template-rest");
    write(&template.join("src/http/middleware/served_by.rs"), SERVED_BY.as_bytes());
    let stack = template.join("src/http/middleware/mod.rs");
    replace(&stack, "mod overload;\n", "mod overload;\nmod served_by;\n");
    replace(
        &stack,
        ".layer(observability::RequestIdLayer)",
        ".layer(observability::RequestIdLayer)\n            .layer(served_by::layer())",
    );
    let lock = std::fs::read_to_string(repository.join("Cargo.lock")).unwrap();
    let (_, after) = lock.split_once("name = \"serde_json\"\nversion = \"").unwrap();
    let version = after.split('"').next().unwrap().to_owned();
    replace(
        &template.join("Cargo.toml.liquid"),
        "serde_json = \"1\"",
        &format!("serde_json = \"{version}\""),
    );
    git(repository, &["add", "--all"]);
    git(
        repository,
        &["commit", "--quiet", "-m", "template-rest: x-served-by middleware, serde_json floor"],
    );
    version
}

/// Starts the service on a free port, sends `GET /ping` once it listens, and returns the raw
/// answer. The wait for the port is bounded by attempts, not by a clock.
fn call_ping(binary: &Path, work: &Path) -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let database = format!("sqlite://{}?mode=rwc", work.join("orders.db").display());
    let child = Command::new(binary)
        .current_dir(work)
        .env("PORT", port.to_string())
        .env("DATABASE_URL", database)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let service = Service(child);
    let mut stream = (0..600)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .expect("the service never listened");
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    drop(service);
    answer
}

/// The running service, stopped when dropped.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
