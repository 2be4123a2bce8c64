//! The sources of the app that the `modules` stage builds, once every module was added to it.
//!
//! - `src/lib.rs` declares each folder module (`pub mod problem;`) and `pub mod wired;`: in a
//!   library, what a module exports is used, so rustc's dead-code warnings stay quiet about
//!   the parts a given app does not call.
//! - `src/wired/<module>.rs` is the `## Wiring` block of the module's `MODULE.md`, as `add`
//!   prints it, with its `pub mod <module>;` line moved to `lib.rs` and a `use crate::<module>;`
//!   so that its paths resolve; each module in a file of its own, so that two wirings may both
//!   define a `router`. Where a printed block cannot stand alone, a file of the same name in
//!   [`FIXTURE`]`/wired/` replaces it.
//! - `src/main.rs` is [`FIXTURE`]`/main.rs`: it merges the wired routers into one app.

use std::path::Path;

use super::{Kind, Module};
use crate::cmd;

/// The fixture's folder, relative to the repository root.
pub(crate) const FIXTURE: &str = "xtask/fixtures/modules-app";

/// Writes the app's sources under `app/src`.
pub(crate) fn write(root: &Path, app: &Path, modules: &[Module]) -> cmd::Result {
    let src = app.join("src");
    std::fs::create_dir_all(src.join("wired"))?;
    let mut lib =
        vec!["//! The modules `cargo xtask add` copied here, and their wiring.\n".to_owned()];
    let mut wired = vec!["//! Each module's wiring, as its MODULE.md prints it.\n".to_owned()];
    for module in modules {
        let ident = ident(&module.name);
        if module.kind == Kind::Folder {
            lib.push(format!("pub mod {ident};"));
        }
        wired.push(format!("pub mod {ident};"));
        std::fs::write(src.join("wired").join(format!("{ident}.rs")), wiring(root, module)?)?;
    }
    lib.push("pub mod wired;".to_owned());
    std::fs::write(src.join("lib.rs"), lib.join("\n") + "\n")?;
    std::fs::write(src.join("wired.rs"), wired.join("\n") + "\n")?;
    std::fs::copy(root.join(FIXTURE).join("main.rs"), src.join("main.rs"))?;
    Ok(())
}

/// A module's name as a Rust identifier (`circuit-breaker` is `circuit_breaker`).
fn ident(name: &str) -> String {
    name.replace('-', "_")
}

/// The file `src/wired/<module>.rs`: the fixture's, if it has one, else the printed wiring.
fn wiring(root: &Path, module: &Module) -> cmd::Result<String> {
    let replacement = root.join(FIXTURE).join("wired").join(format!("{}.rs", ident(&module.name)));
    if replacement.is_file() {
        return Ok(std::fs::read_to_string(replacement)?);
    }
    Ok(from_page(module))
}

/// The printed wiring, made a module of its own.
fn from_page(module: &Module) -> String {
    let name = ident(&module.name);
    let declarations = [format!("pub mod {name};"), format!("mod {name};")];
    let lines =
        module.page.wiring.lines().filter(|line| !declarations.contains(&line.trim().to_owned()));
    let body: Vec<&str> = lines.skip_while(|line| line.trim().is_empty()).collect();
    let import = match module.kind {
        Kind::Folder => format!("use crate::{name};\n"),
        Kind::Crate => String::new(),
    };
    let doc = format!("//! The wiring of `{}`, from its MODULE.md.\n\n", module.name);
    format!("{doc}{import}{}\n", body.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::{discover, find};

    #[test]
    fn a_folder_module_s_wiring_imports_it_instead_of_declaring_it() {
        let modules = discover(&cmd::workspace_root()).unwrap();
        let wired = from_page(find(&modules, "problem").unwrap());
        assert!(
            wired.starts_with(
                "//! The wiring of `problem`, from its MODULE.md.\n\nuse crate::problem;\n"
            ),
            "{wired}"
        );
        assert!(!wired.contains("pub mod problem;"), "{wired}");
        let wired = from_page(find(&modules, "circuit-breaker").unwrap());
        assert!(!wired.contains("use crate::"), "{wired}");
    }

    #[test]
    fn names_become_identifiers() {
        assert_eq!(ident("circuit-breaker"), "circuit_breaker");
        assert_eq!(ident("problem"), "problem");
    }
}
