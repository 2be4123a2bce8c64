//! The API step of a generated template-rest: the service just built is started with rate
//! limits raised (schemathesis is one client sending thousands of requests), polled until
//! `/health/ready` answers 200, logged into as its administrator, and fuzzed by schemathesis
//! against its own `OpenAPI` document with every check, with the project's own hooks
//! (`scripts/schemathesis_hooks.py`: how to make the images an avatar upload accepts). Any
//! failure fails the step; the service and its database are removed whatever the outcome.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::databases::{drop_postgres_database, postgres_database};
use crate::local_service::LocalService;
use crate::{cmd, http};

/// The schemathesis release `.ci/setup` installs.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// Test cases per operation: every documented status is reached, and CI stays short.
const MAX_EXAMPLES: &str = "40";
const ADMIN_EMAIL: &str = "schemathesis@example.com";
const ADMIN_PASSWORD: &str = "schemathesis admin password";

/// Whether generated projects of `template` have an API to fuzz.
pub(crate) fn applies(template: &Path) -> bool {
    template.file_name().is_some_and(|name| name == "template-rest")
}

/// Runs schemathesis against the built `project`, on the database form named in `defines`.
///
/// # Errors
/// Fails when the service does not start or schemathesis reports any failure.
pub(crate) fn run(project: &Path, target_dir: &Path, defines: &[(String, String)]) -> cmd::Result {
    let name = project.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let postgres = defines.iter().any(|(key, value)| key == "database" && value == "postgres");
    let scratch = std::env::temp_dir().join(format!("xtask-api-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let hooks = project.join("scripts/schemathesis_hooks.py");
    let result = Database::create(&name, postgres, &scratch).and_then(|database| {
        let binary = target_dir.join("debug").join(&name);
        Service::start(&binary, &database.url, &scratch)?.fuzz(&scratch, &hooks)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// A database for one run: a file in the scratch directory, or a PostgreSQL database that is
/// dropped afterwards.
struct Database {
    url: String,
    postgres: Option<String>,
}

impl Database {
    fn create(project: &str, postgres: bool, scratch: &Path) -> cmd::Result<Self> {
        if !postgres {
            let url = format!("sqlite://{}", scratch.join("api.db").display());
            return Ok(Self { url, postgres: None });
        }
        let name = format!("xtask_api_{}_{}", project.replace('-', "_"), std::process::id());
        Ok(Self { url: postgres_database(&name, &[])?, postgres: Some(name) })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres {
            let _ = drop_postgres_database(name);
        }
    }
}

/// The running service under test.
struct Service(LocalService);

impl Service {
    fn start(binary: &Path, database_url: &str, scratch: &Path) -> cmd::Result<Self> {
        let mut command = Command::new(binary);
        command
            .current_dir(scratch)
            .envs(http::REST_LIMITS_RAISED)
            .env("DATABASE_URL", database_url)
            .env("JWT_SECRET", "schemathesis-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
            .env("ACCESS_TOKEN_TTL_SECS", "86400")
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("UPLOAD_DIR", scratch.join("uploads"))
            .env("RUST_LOG", "warn");
        LocalService::start(command).map(Self)
    }

    /// Waits for readiness, logs in as the administrator, and runs schemathesis with `hooks`.
    fn fuzz(&self, scratch: &Path, hooks: &Path) -> cmd::Result {
        let address = self.0.address();
        http::wait_for_200(address, "/health/ready", Instant::now(), Duration::from_mins(1))?;
        let credentials = format!(r#"{{"email":"{ADMIN_EMAIL}","password":"{ADMIN_PASSWORD}"}}"#);
        let login = http::request(address, "POST /api/v1/auth/login HTTP/1.1", &credentials)?;
        let token = http::json_field(&login.body, "access_token")?;
        let mut schemathesis = Command::new("python3");
        schemathesis
            .current_dir(scratch)
            .env("SCHEMATHESIS_HOOKS", hooks)
            .args(["-m", "schemathesis.cli", "run"])
            .arg(format!("http://{address}/openapi.json"))
            .args(["--checks", "all", "--max-examples", MAX_EXAMPLES])
            .args(["--generation-database", "none", "--no-color"])
            .args(["--header", &format!("Authorization: Bearer {token}")]);
        eprintln!("api: SCHEMATHESIS_HOOKS={}", hooks.display());
        cmd::run(&mut schemathesis).map_err(|error| {
            cmd::Error::new(format!(
                "{error} (schemathesis {SCHEMATHESIS_VERSION} is installed by .ci/setup)"
            ))
        })
    }
}
