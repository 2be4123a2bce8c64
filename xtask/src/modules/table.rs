//! The `module-table` rule: the root README's table of modules (under `## Modules`) lists every
//! module that `cargo xtask add --list` lists, in the same order, with the same description, one
//! row each: `` | [`name`](its folder's MODULE.md) | its template | description | ``.

use std::path::Path;

use super::Module;
use crate::finding::Finding;

pub(crate) const RULE: &str = "module-table";

const README: &str = "README.md";
const HEADING: &str = "## Modules";

/// The row the README has for `module`.
pub(crate) fn row(module: &Module) -> String {
    let page = module.dir.join("MODULE.md");
    let (name, template) = (&module.name, module.template());
    format!("| [`{name}`]({}) | {template} | {} |", page.display(), module.page.description)
}

/// The findings for the README at `root` against the modules found there.
pub(crate) fn check(root: &Path) -> Vec<Finding> {
    let modules = match super::discover(root) {
        Ok(modules) => modules,
        Err(error) => return vec![Finding::new(README, 1, RULE, error.to_string())],
    };
    let readme = std::fs::read_to_string(root.join(README)).unwrap_or_default();
    compare(&readme, &modules)
}

/// The README's rows, each with its line, against the rows the modules want.
fn compare(readme: &str, modules: &[Module]) -> Vec<Finding> {
    let Some(heading) = readme.lines().position(|line| line.trim_end() == HEADING) else {
        let message = format!("no `{HEADING}` section with the modules' table (see `add --list`)");
        return vec![Finding::new(README, 1, RULE, message)];
    };
    let rows = rows(readme, heading);
    let wanted: Vec<String> = modules.iter().map(row).collect();
    let finding = |line: usize, message: String| Finding::new(README, line, RULE, message);
    let mut findings = Vec::new();
    for (index, wanted) in wanted.iter().enumerate() {
        match rows.get(index) {
            Some((_, found)) if found == wanted => {}
            Some((line, _)) => {
                findings.push(finding(*line, format!("this row should read: {wanted}")));
            }
            None => {
                let line = rows.last().map_or(heading + 1, |(line, _)| *line);
                findings.push(finding(line, format!("a row is missing after this line: {wanted}")));
            }
        }
    }
    let extra = rows.iter().skip(wanted.len());
    findings.extend(extra.map(|(line, found)| {
        finding(*line, format!("no such module (see `cargo xtask add --list`): {found}"))
    }));
    findings
}

/// The module rows of the section whose heading is at index `heading`, with their lines.
fn rows(readme: &str, heading: usize) -> Vec<(usize, &str)> {
    let section = readme.lines().enumerate().skip(heading + 1);
    let section = section.take_while(|(_, line)| !line.starts_with("## "));
    let rows = section.filter(|(_, line)| line.starts_with("| [`"));
    rows.map(|(index, line)| (index + 1, line.trim_end())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd;

    fn modules() -> Vec<Module> {
        crate::modules::discover(&cmd::workspace_root()).unwrap()
    }

    fn table(rows: &[String]) -> String {
        format!(
            "# x\n\n{HEADING}\n\ntext\n\n| module | from | what it does |\n|---|---|---|\n{}\n\n## Next\n\n| [`z`](z) | t | z |\n",
            rows.join("\n")
        )
    }

    #[test]
    fn this_repository_s_readme_matches_the_modules() {
        assert_eq!(check(&cmd::workspace_root()), Vec::new());
    }

    #[test]
    fn a_row_per_module_in_order_passes() {
        let modules = modules();
        let rows: Vec<String> = modules.iter().map(row).collect();
        assert_eq!(compare(&table(&rows), &modules), Vec::new());
        assert!(rows.iter().any(|row| {
            row.starts_with("| [`problem`](template-rest/src/problem/MODULE.md) | template-rest | ")
        }));
    }

    #[test]
    fn stale_missing_and_extra_rows_are_found() {
        let modules = modules();
        let mut rows: Vec<String> = modules.iter().map(row).collect();
        rows[0] = rows[0].replace(" |", " (old) |");
        let extra = "| [`gone`](x/MODULE.md) | t | Gone. |".to_owned();
        let with_extra = [rows.clone(), vec![extra]].concat();
        let findings = compare(&table(&with_extra), &modules);
        let messages: Vec<&str> = findings.iter().map(|finding| finding.message.as_str()).collect();
        assert_eq!(findings.len(), 2, "{messages:#?}");
        assert_eq!(findings[0].line, 9);
        assert!(messages[0].starts_with("this row should read: "));
        assert!(messages[1].starts_with("no such module"));
        let findings = compare(&table(&rows[..1]), &modules);
        assert!(
            findings.iter().skip(1).all(|finding| finding.message.starts_with("a row is missing"))
        );
        assert_eq!(compare("# x\n", &modules)[0].line, 1);
    }
}
