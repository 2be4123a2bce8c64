//! `cargo xtask readme` on the repository's own templates.

use super::*;

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).collect()
}

fn defines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

fn readme(template: &str, pairs: &[(&str, &str)]) -> cmd::Result<String> {
    rendered_readme(&cmd::workspace_root(), template, &defines(pairs))
}

#[test]
fn flags_per_placeholder_and_defines_are_parsed_in_any_order() {
    let parsed = parse(&strings(&["--broker", "nats", "realtime", "-o", "out.md"])).unwrap();
    assert_eq!(parsed.template, "realtime");
    assert_eq!(parsed.defines, defines(&[("broker", "nats")]));
    assert_eq!(parsed.out, Some(PathBuf::from("out.md")));
    let parsed = parse(&strings(&["template-rest", "-d", "database=postgres"])).unwrap();
    assert_eq!(parsed.defines, defines(&[("database", "postgres")]));
}

#[test]
fn bad_arguments_show_the_usage() {
    for args in [
        &[][..],
        &["--broker", "nats"],
        &["realtime", "--broker"],
        &["a", "b"],
        &["rest", "-d", "novalue"],
    ] {
        let error = parse(&strings(args)).unwrap_err();
        assert!(error.to_string().starts_with("usage:"), "{args:?}");
    }
}

#[test]
fn each_value_renders_its_own_readme() {
    let memory = readme("template-realtime", &[]).unwrap();
    let nats = readme("realtime", &[("broker", "nats")]).unwrap();
    let redis = readme("./template-realtime/", &[("broker", "redis")]).unwrap();
    assert!(memory.starts_with("# template-realtime\n"), "{memory}");
    assert!(memory.contains("one node with an in-process broker"));
    assert!(nats.contains("scales out through **NATS JetStream**") && !nats.contains("**Redis**"));
    assert!(redis.contains("scales out through **Redis**"));
    for text in [&memory, &nats, &redis] {
        assert!(!text.contains("{%") && !text.contains("{{project-name"), "{text}");
    }
}

#[test]
fn project_name_sets_the_crate_name_too() {
    let text = readme("microservice", &[("project-name", "order-events")]).unwrap();
    assert!(text.starts_with("# order-events\n"), "{text}");
    assert!(text.contains("createdb order_events"), "{text}");
}

#[test]
fn unknown_placeholders_values_and_templates_are_named() {
    let error = readme("realtime", &[("database", "postgres")]).unwrap_err().to_string();
    assert!(error.contains("no placeholder `database`; placeholders: broker"), "{error}");
    let error = readme("realtime", &[("broker", "kafka")]).unwrap_err().to_string();
    assert_eq!(error, "`broker` cannot be `kafka`; choices: memory, redis, nats");
    let error = readme("microservice", &[("broker", "nats")]).unwrap_err().to_string();
    assert!(error.contains("placeholders: none"), "{error}");
    let error = readme("graphql", &[]).unwrap_err().to_string();
    assert!(error.starts_with("no template `graphql`; templates: template-rest"), "{error}");
}

#[test]
fn out_writes_the_file() {
    let out = std::env::temp_dir().join(format!("xtask-readme-{}.md", std::process::id()));
    let out_arg = out.to_string_lossy().into_owned();
    run(&strings(&["rest", "--database", "postgres", "--out", &out_arg])).unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert!(written.contains("uses PostgreSQL."), "{written}");
}

#[test]
fn every_value_renders_as_the_real_cargo_generate_renders() {
    let root = cmd::workspace_root();
    let destination = std::env::temp_dir().join(format!("xtask-readme-{}", std::process::id()));
    for template in templates(&root).unwrap() {
        for defines in template.combinations() {
            let name = format!("demo-{}", template.short_name());
            let generation = crate::generation::Generation {
                template: &root.join(&template.dir),
                name: &name,
                defines: &defines,
                destination: &destination,
            };
            let project = crate::generation::generate(&generation).unwrap();
            let generated = std::fs::read_to_string(project.join("README.md")).unwrap();
            let mut ours = defines.clone();
            ours.push(("project-name".to_owned(), name.clone()));
            let rendered = rendered_readme(&root, &template.dir, &ours).unwrap();
            assert!(
                rendered == generated,
                "{} {defines:?} differs from cargo-generate",
                template.dir
            );
        }
    }
    std::fs::remove_dir_all(&destination).unwrap();
}
