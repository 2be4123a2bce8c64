//! `cargo xtask sqlx-prepare`: regenerates the committed `.sqlx` query data, for every form of
//! every template that uses sqlx, so that builds never need a database.
//!
//! The macros record a query's description when they run against a live database with
//! `SQLX_OFFLINE_DIR` set. The in-place form is checked in this workspace; a form that exists
//! only after generation (PostgreSQL for template-rest) is generated first. Needs `sqlite3` and
//! `psql`, and the PostgreSQL server from `DATABASE_URL` (default: local, user postgres).

use std::path::Path;
use std::process::Command;

use crate::cmd;
use crate::databases::{postgres_database, sqlite_database};
use crate::generation::{Generation, generate};

/// One form of a template and where its query data lives.
struct Form {
    template: &'static str,
    defines: &'static [(&'static str, &'static str)],
    migrations: &'static str,
    offline_dir: &'static str,
    engine: Engine,
}

#[derive(Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

const FORMS: [Form; 3] = [
    Form {
        template: "template-rest",
        defines: &[("database", "sqlite")],
        migrations: "migrations",
        offline_dir: ".sqlx",
        engine: Engine::Sqlite,
    },
    Form {
        template: "template-rest",
        defines: &[("database", "postgres")],
        migrations: "variants/postgres/migrations",
        offline_dir: "variants/postgres/.sqlx",
        engine: Engine::Postgres,
    },
    Form {
        template: "template-microservice",
        defines: &[],
        migrations: "migrations",
        offline_dir: ".sqlx",
        engine: Engine::Postgres,
    },
];

/// Regenerates the query data of every form.
///
/// # Errors
/// Fails when a database cannot be prepared or a check fails.
pub(crate) fn run() -> cmd::Result {
    let root = cmd::workspace_root();
    let scratch = std::env::temp_dir().join("xtask-sqlx-prepare");
    for form in &FORMS {
        println!("sqlx-prepare: {} {:?}", form.template, form.defines);
        prepare(&root, &scratch, form)?;
    }
    Ok(())
}

fn prepare(root: &Path, scratch: &Path, form: &Form) -> cmd::Result {
    let template = root.join(form.template);
    let url = database(&template.join(form.migrations), scratch, form.engine)?;
    let offline_dir = template.join(form.offline_dir);
    if offline_dir.exists() {
        std::fs::remove_dir_all(&offline_dir)?;
    }
    std::fs::create_dir_all(&offline_dir)?;
    let defines: Vec<_> =
        form.defines.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect();
    let project = generate(&Generation {
        template: &template,
        name: "sqlx-prepare",
        defines: &defines,
        destination: scratch,
    })?;
    let mut check = Command::new("cargo");
    check.current_dir(&project).args(["check", "--quiet", "--all-targets"]);
    check
        .env("SQLX_OFFLINE", "false")
        .env("DATABASE_URL", url)
        .env("SQLX_OFFLINE_DIR", &offline_dir);
    check.env("CARGO_TARGET_DIR", crate::checks::target_dir().join("generated"));
    cmd::run(&mut check)
}

/// A fresh database with every migration applied; returns its URL.
fn database(migrations: &Path, scratch: &Path, engine: Engine) -> cmd::Result<String> {
    std::fs::create_dir_all(scratch)?;
    let mut files: Vec<_> = std::fs::read_dir(migrations)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    match engine {
        Engine::Sqlite => sqlite_database(&scratch.join("prepare.db"), &files),
        Engine::Postgres => postgres_database("sqlx_prepare", &files),
    }
}
