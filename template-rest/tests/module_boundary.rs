//! Copyable modules keep their boundary: a folder of `src/` with a `MODULE.md` depends on
//! external crates and on itself only, so no file in it may name a `crate::` path.

use std::fs;
use std::path::{Path, PathBuf};

/// Every directory under `dir` (itself included) that holds a `MODULE.md`.
fn modules(dir: &Path, found: &mut Vec<PathBuf>) {
    if dir.join("MODULE.md").is_file() {
        found.push(dir.to_path_buf());
    }
    for entry in fs::read_dir(dir).expect("a readable directory").flatten() {
        if entry.path().is_dir() {
            modules(&entry.path(), found);
        }
    }
}

/// Every `.rs` file under `dir`, with the lines that name a `crate::` path.
fn crate_paths(dir: &Path, found: &mut Vec<String>) {
    for entry in fs::read_dir(dir).expect("a readable directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            crate_paths(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text = fs::read_to_string(&path).expect("a UTF-8 source file");
            let lines = text.lines().enumerate().filter(|(_, line)| line.contains("crate::"));
            found.extend(
                lines.map(|(index, line)| format!("{}:{}: {line}", path.display(), index + 1)),
            );
        }
    }
}

#[test]
fn copyable_modules_name_no_crate_paths() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    modules(&src, &mut found);
    for name in ["problem", "observability", "auth", "ratelimit"] {
        assert!(found.iter().any(|dir| dir.ends_with(name)), "src/{name}/ has a MODULE.md");
    }
    for module in found {
        let mut offending = Vec::new();
        crate_paths(&module, &mut offending);
        assert!(
            offending.is_empty(),
            "{} reaches outside itself:\n{}",
            module.display(),
            offending.join("\n")
        );
    }
}
