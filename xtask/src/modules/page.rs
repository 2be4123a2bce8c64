//! A `MODULE.md` read as `add` needs it: the title (`# <name>`), the description (the first
//! sentence of the one-line paragraph under it), the ```` ```toml ```` block of `## Dependencies`
//! and the ```` ```rust ```` block of `## Wiring`. The rest of the page is for people.

/// What `add` takes from a `MODULE.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// The `# <name>` title.
    pub(crate) title: String,
    /// The first sentence of the first paragraph.
    pub(crate) description: String,
    /// The TOML block of `## Dependencies`: `[dependencies]`, `[dev-dependencies]`, `[features]`.
    pub(crate) dependencies: String,
    /// The Rust block of `## Wiring`, the lines a user adds.
    pub(crate) wiring: String,
}

/// The `# <name>` title on the first line that is not blank, if there is one.
pub(crate) fn title(text: &str) -> Option<&str> {
    let first = text.lines().map(str::trim_end).find(|line| !line.is_empty())?;
    first.strip_prefix("# ").map(str::trim).filter(|title| !title.is_empty())
}

/// Reads a `MODULE.md`; the error says which part is missing.
pub(crate) fn parse(text: &str) -> Result<Page, String> {
    let title = title(text).ok_or("no `# <name>` title on the first line")?;
    let mut lines = text.lines().map(str::trim_end).skip_while(|line| line.is_empty()).skip(1);
    let paragraph = lines.find(|line| !line.is_empty()).filter(|line| !line.starts_with('#'));
    let description =
        paragraph.map(first_sentence).ok_or("no description paragraph under the title")?;
    Ok(Page {
        title: title.to_owned(),
        description,
        dependencies: block(text, "Dependencies", "toml")?,
        wiring: block(text, "Wiring", "rust")?,
    })
}

/// The text up to the first full stop followed by a space, or the whole line.
fn first_sentence(line: &str) -> String {
    let end = line.find(". ").map_or(line.len(), |at| at + 1);
    line[..end].trim().to_owned()
}

/// The first fenced block of `language` in the section `## <section>`.
fn block(text: &str, section: &str, language: &str) -> Result<String, String> {
    let heading = format!("## {section}");
    let mut lines = text.lines().skip_while(|line| line.trim_end() != heading).skip(1);
    let missing = || format!("no ```{language} block under `{heading}`");
    let fence = format!("```{language}");
    let mut in_section = lines.by_ref().take_while(|line| !line.starts_with("## "));
    in_section.find(|line| line.trim_end() == fence).ok_or_else(missing)?;
    let body: Vec<&str> = in_section.take_while(|line| line.trim_end() != "```").collect();
    if body.is_empty() {
        return Err(missing());
    }
    Ok(body.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# ratelimit\n\nLimits requests per client. Uses a token bucket.\n\n\
                        ## Dependencies\n\n```toml\n[dependencies]\nx = \"1\"\n```\n\n\
                        ## Wiring\n\nFirst:\n\n```rust\npub mod ratelimit;\n```\n\n## Files\n";

    #[test]
    fn title_sentence_and_blocks_are_read() {
        let page = parse(PAGE).unwrap();
        assert_eq!(page.title, "ratelimit");
        assert_eq!(page.description, "Limits requests per client.");
        assert_eq!(page.dependencies, "[dependencies]\nx = \"1\"\n");
        assert_eq!(page.wiring, "pub mod ratelimit;\n");
    }

    #[test]
    fn missing_parts_are_named() {
        assert_eq!(parse("no title\n").unwrap_err(), "no `# <name>` title on the first line");
        assert!(parse("# x\n\n## Dependencies\n").unwrap_err().contains("description"));
        let without_wiring = PAGE.replace("## Wiring", "## Wired");
        assert_eq!(parse(&without_wiring).unwrap_err(), "no ```rust block under `## Wiring`");
        let block_elsewhere = PAGE.replace("```toml", "```text");
        assert!(parse(&block_elsewhere).unwrap_err().contains("```toml"));
    }

    #[test]
    fn the_template_modules_pages_parse() {
        let root = crate::cmd::workspace_root();
        let text =
            std::fs::read_to_string(root.join("template-rest/src/problem/MODULE.md")).unwrap();
        let page = parse(&text).unwrap();
        assert_eq!(page.title, "problem");
        assert!(page.wiring.starts_with("pub mod problem;\n"), "{}", page.wiring);
        assert!(page.dependencies.contains("[features]"), "{}", page.dependencies);
    }
}
