//! The tokens step: template-rest issues access tokens, template-realtime verifies them through
//! rest's published key set, both running as the processes this run generated and built
//! (template-rest on `SQLite`, template-realtime on the in-process broker).
//!
//! rest signs with an Ed25519 key made by `openssl genpkey` (`JWT_PRIVATE_KEY`) and names
//! realtime in `JWT_EXTRA_AUDIENCES`; realtime gets only `JWT_JWKS_URL`, rest's
//! `/.well-known/jwks.json`. A user registers and logs in at rest, and realtime must accept
//! that token on `POST /rooms/{room}/messages` (201, sent as the user rest named in `sub`),
//! and refuse with 401 the same claims signed with another Ed25519 key under rest's `kid`,
//! HS256 tokens whose secret is rest's public key (PEM, raw, and the JWK's `x`), and rest's
//! own key signing for an audience that is not realtime's. The forged tokens are made here
//! ([`jwt`]); the same code re-signing rest's claims with rest's key must be accepted, which
//! shows the refusals come from realtime's checks and not from a malformed token.

mod jwt;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{Job, Row, Step, outcome, project_name};
use crate::cmd;
use crate::http;
use crate::local_service::LocalService;
use jwt::{Key, Token};

/// The projects the step needs: (template directory, placeholder, value).
const REST: (&str, &str, &str) = ("template-rest", "database", "sqlite");
const REALTIME: (&str, &str, &str) = ("template-realtime", "broker", "memory");
const ISSUER: &str = "xtask-tokens-issuer";
const REST_AUDIENCE: &str = "xtask-tokens-rest";
const REALTIME_AUDIENCE: &str = "xtask-tokens-realtime";
const FOREIGN_AUDIENCE: &str = "xtask-tokens-elsewhere";
const EMAIL: &str = "tokens@example.com";
const PASSWORD: &str = "tokens step password";
const READY_LIMIT: Duration = Duration::from_mins(1);

/// The `tokens` row, when this run generated both projects the step needs; `None` when either
/// template was not selected. A project whose own row failed fails the step.
pub(super) fn row(jobs: &[Job], rows: &[Row], target_dir: &Path) -> Option<Row> {
    let rest = built(jobs, rows, target_dir, REST)?;
    let realtime = built(jobs, rows, target_dir, REALTIME)?;
    let label = "tokens: template-rest issues, template-realtime verifies (JWKS)".to_owned();
    println!("[tokens] {label}");
    let (result, elapsed) = cmd::timed(|| run(&rest?, &realtime?));
    println!("    tokens {}", outcome(result.as_ref().err(), elapsed));
    Some(Row {
        label,
        steps: vec![(Step::Test, elapsed)],
        runs: (u32::from(result.is_ok()), 1),
        api: None,
        failure: result.err().map(|error| format!("tokens: {error}")),
    })
}

/// The binary built for the job of `(template, placeholder, value)`: `None` when the run has
/// no such job, an error when its row failed.
fn built(
    jobs: &[Job],
    rows: &[Row],
    target_dir: &Path,
    (dir, key, value): (&str, &str, &str),
) -> Option<cmd::Result<PathBuf>> {
    let (index, (template, defines)) =
        jobs.iter().enumerate().find(|(_, (template, defines))| {
            template.dir == dir && defines.iter().any(|(k, v)| k == key && v == value)
        })?;
    let row = rows.get(index)?;
    Some(match &row.failure {
        Some(_) => Err(cmd::Error::new(format!("needs `{}`, which failed", row.label))),
        None => Ok(target_dir.join("debug").join(project_name(template, defines))),
    })
}

/// Runs the step with the built `rest` and `realtime` binaries, in a scratch directory that is
/// removed afterwards.
///
/// # Errors
/// Fails when either service does not start, or realtime accepts or refuses the wrong token.
pub fn run(rest: &Path, realtime: &Path) -> cmd::Result {
    let scratch = std::env::temp_dir().join(format!("xtask-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let result = run_in(rest, realtime, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn run_in(rest: &Path, realtime: &Path, scratch: &Path) -> cmd::Result {
    let key = Key::generate(scratch, "rest")?;
    let database = format!("sqlite://{}", scratch.join("tokens.db").display());
    let rest = start_node(rest, &rest_env(&key, &database, scratch)?, scratch)?;
    let jwks_url = format!("http://{}/.well-known/jwks.json", rest.address());
    let realtime_env = [
        ("JWT_JWKS_URL", jwks_url.clone()),
        ("JWT_ISSUER", ISSUER.to_owned()),
        ("JWT_AUDIENCE", REALTIME_AUDIENCE.to_owned()),
    ];
    let realtime = start_node(realtime, &realtime_env, scratch)?;
    let (user, token) = sign_in(rest.address())?;
    let jwks = http::request(rest.address(), "GET /.well-known/jwks.json HTTP/1.1", "")?.body;
    let checks = Checks { realtime: realtime.address(), user, token: Token::parse(&token)? };
    checks.rest_token_is_accepted(&key, scratch)?;
    checks.forgeries_are_refused(&key, &jwks, scratch)?;
    checks.expect(&token, 201, "rest's token, after the forgeries").map(drop)
}

fn rest_env(key: &Key, database: &str, scratch: &Path) -> cmd::Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("DATABASE_URL", database.to_owned()),
        ("JWT_PRIVATE_KEY", key.private_pem()?),
        ("JWT_ISSUER", ISSUER.to_owned()),
        ("JWT_AUDIENCE", REST_AUDIENCE.to_owned()),
        ("JWT_EXTRA_AUDIENCES", REALTIME_AUDIENCE.to_owned()),
        ("UPLOAD_DIR", scratch.join("uploads").display().to_string()),
    ])
}

/// Registers a user at rest and logs in: the user's id and access token.
fn sign_in(rest: SocketAddr) -> cmd::Result<(String, String)> {
    let credentials = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}""#);
    let register = format!(r#"{credentials},"name":"Tokens"}}"#);
    let registered = http::request(rest, "POST /api/v1/auth/register HTTP/1.1", &register)?;
    if registered.status != 201 {
        return Err(cmd::Error::new(format!("register at rest: {}", registered.status)));
    }
    let login =
        http::request(rest, "POST /api/v1/auth/login HTTP/1.1", &format!("{credentials}}}"))?;
    let token = http::json_field(&login.body, "access_token")?;
    Ok((http::json_field(&registered.body, "id")?, token))
}

/// Calls realtime with tokens and checks its answers.
struct Checks {
    realtime: SocketAddr,
    user: String,
    token: Token,
}

impl Checks {
    /// rest's own token is accepted as its `sub`; so is the same token re-signed here with
    /// rest's key, which vouches for the forging code.
    fn rest_token_is_accepted(&self, key: &Key, scratch: &Path) -> cmd::Result {
        let body = self.expect(&self.token.text, 201, "rest's token")?;
        let from = http::json_field(&body, "from")?;
        if from != self.user {
            return Err(cmd::Error::new(format!("sent as `{from}`, not as `{}`", self.user)));
        }
        let resigned = self.token.eddsa(&self.token.payload, key, scratch)?;
        self.expect(&resigned, 201, "rest's claims re-signed here with rest's key").map(drop)
    }

    fn forgeries_are_refused(&self, key: &Key, jwks: &str, scratch: &Path) -> cmd::Result {
        let other = Key::generate(scratch, "other")?;
        let forged = self.token.eddsa(&self.token.payload, &other, scratch)?;
        self.expect(&forged, 401, "the same claims signed with another Ed25519 key")?;
        let public_pem = key.public_pem()?;
        let x = http::json_field(jwks, "x")?;
        let secrets = [("PEM", public_pem.into_bytes()), ("raw", jwt::decode(&x)?)];
        for (form, secret) in secrets.into_iter().chain([("JWK x", x.into_bytes())]) {
            let forged = self.token.hs256(&secret, scratch)?;
            self.expect(&forged, 401, &format!("HS256 keyed with rest's public key ({form})"))?;
        }
        let foreign = self.token.with_audience(REALTIME_AUDIENCE, FOREIGN_AUDIENCE)?;
        let forged = self.token.eddsa(&foreign, key, scratch)?;
        self.expect(&forged, 401, "rest's key, for another audience").map(drop)
    }

    /// Publishes a message with `token` and checks realtime answers `status`; returns the body.
    fn expect(&self, token: &str, status: u16, what: &str) -> cmd::Result<String> {
        let head = format!("POST /rooms/tokens/messages HTTP/1.1\r\nAuthorization: Bearer {token}");
        let response = http::request(self.realtime, &head, r#"{"body":"from rest"}"#)?;
        println!("    tokens: {what}: {}", response.status);
        if response.status == status {
            return Ok(response.body);
        }
        let body = response.body;
        Err(cmd::Error::new(format!(
            "{what}: realtime answered {} ({body:.200}), not {status}",
            response.status
        )))
    }
}

/// Starts `binary` with `envs` (and no `JWT_SECRET` from the caller's environment), ready.
fn start_node(binary: &Path, envs: &[(&str, String)], scratch: &Path) -> cmd::Result<LocalService> {
    let mut command = Command::new(binary);
    command.current_dir(scratch).env_remove("JWT_SECRET").env("RUST_LOG", "warn");
    command.envs(envs.iter().map(|(name, value)| (name, value)));
    LocalService::start_ready(command, READY_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::Template;

    fn job(dir: &str, key: &str, value: &str) -> Job {
        let template = Template { dir: dir.into(), placeholders: Vec::new() };
        (template, vec![(key.to_owned(), value.to_owned())])
    }

    fn row(label: &str, failure: Option<&str>) -> Row {
        let failure = failure.map(str::to_owned);
        Row { label: label.into(), steps: Vec::new(), runs: (0, 0), api: None, failure }
    }

    #[test]
    fn the_step_finds_the_binaries_this_run_built() {
        let jobs = [
            job("template-rest", "database", "postgres"),
            job("template-rest", "database", "sqlite"),
        ];
        let rows = [row("postgres", None), row("sqlite", None)];
        let target = Path::new("/target");
        let rest = built(&jobs, &rows, target, REST).unwrap().unwrap();
        assert_eq!(rest, Path::new("/target/debug/demo-rest-sqlite"));
        assert!(built(&jobs, &rows, target, REALTIME).is_none(), "realtime was not selected");
        let failed = [row("postgres", None), row("sqlite", Some("build: failed"))];
        let error = built(&jobs, &failed, target, REST).unwrap().unwrap_err().to_string();
        assert_eq!(error, "needs `sqlite`, which failed");
    }
}
