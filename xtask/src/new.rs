//! `cargo xtask new <name> --template <t> [-d key=value]...`: a friendly wrapper over
//! `cargo generate`. Installs the pinned cargo-generate if it is missing, and creates the
//! project next to this repository (or in `--destination DIR`), ready for `cargo run`, and
//! records the repository's commit in the project's `.template.toml` for `cargo xtask upgrade`.

use std::path::PathBuf;

use crate::cmd;
use crate::generation::{CARGO_GENERATE_VERSION, Generation, cargo_generate_version, generate};

/// Parsed arguments of `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewArgs {
    name: String,
    template: String,
    defines: Vec<(String, String)>,
    destination: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo xtask new <name> --template <rest|realtime|microservice> [-d key=value]... [--destination DIR]";

/// Generates a new service.
///
/// # Errors
/// Fails on bad arguments, an unknown template, or a failed generation.
pub(crate) fn run(args: &[String]) -> cmd::Result {
    let args = parse(args)?;
    let root = cmd::workspace_root();
    let template = root.join(format!("template-{}", args.template.trim_start_matches("template-")));
    if !template.join("cargo-generate.toml").is_file() {
        return Err(cmd::Error::new(format!("no template `{}`\n{USAGE}", args.template)));
    }
    ensure_cargo_generate()?;
    let destination = args.destination.clone().unwrap_or_else(|| root.join(".."));
    let project = generate(&Generation {
        template: &template,
        name: &args.name,
        defines: &args.defines,
        destination: &destination,
    })?;
    let project = project.canonicalize().unwrap_or(project);
    let template_dir = template.file_name().unwrap_or_default().to_string_lossy();
    println!("{}", crate::upgrade::record_new_project(&root, &template_dir, &project)?);
    println!("created {}\nnext: cd {} && cargo run", project.display(), project.display());
    Ok(())
}

fn parse(args: &[String]) -> cmd::Result<NewArgs> {
    let mut parsed = NewArgs {
        name: String::new(),
        template: String::new(),
        defines: Vec::new(),
        destination: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| cmd::Error::new(USAGE));
        match arg.as_str() {
            "--template" | "-t" => parsed.template = value()?,
            "--destination" => parsed.destination = Some(PathBuf::from(value()?)),
            "-d" | "--define" => parsed.defines.push(define(&value()?)?),
            name if parsed.name.is_empty() && !name.starts_with('-') => {
                name.clone_into(&mut parsed.name);
            }
            _ => return Err(cmd::Error::new(USAGE)),
        }
    }
    if parsed.name.is_empty() || parsed.template.is_empty() {
        return Err(cmd::Error::new(USAGE));
    }
    Ok(parsed)
}

fn define(text: &str) -> cmd::Result<(String, String)> {
    let (key, value) = text.split_once('=').ok_or_else(|| cmd::Error::new(USAGE))?;
    Ok((key.to_owned(), value.to_owned()))
}

fn ensure_cargo_generate() -> cmd::Result {
    if cargo_generate_version().is_some() {
        return Ok(());
    }
    println!("installing cargo-generate {CARGO_GENERATE_VERSION} (takes a few minutes, once)");
    cmd::run(cmd::cargo().args([
        "install",
        "cargo-generate",
        "--locked",
        "--version",
        CARGO_GENERATE_VERSION,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn arguments_are_parsed_in_any_order() {
        let parsed =
            parse(&strings(&["-d", "database=postgres", "orders", "--template", "rest"])).unwrap();
        assert_eq!(parsed.name, "orders");
        assert_eq!(parsed.template, "rest");
        assert_eq!(parsed.defines, [("database".to_owned(), "postgres".to_owned())]);
        assert_eq!(parsed.destination, None);
    }

    #[test]
    fn bad_arguments_show_the_usage() {
        for args in [
            &["orders"][..],
            &["--template", "rest"],
            &["orders", "--template"],
            &["a", "b", "--template", "rest"],
            &["a", "-d", "novalue", "-t", "rest"],
        ] {
            let error = parse(&strings(args)).unwrap_err();
            assert!(error.to_string().starts_with("usage:"), "{args:?}");
        }
    }

    #[test]
    fn unknown_templates_are_refused() {
        let error = run(&strings(&["x", "--template", "graphql"])).unwrap_err();
        assert!(error.to_string().contains("no template `graphql`"));
    }
}
