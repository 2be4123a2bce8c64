//! The Liquid that the templates use, rendered as cargo-generate renders it: `{{ name }}`,
//! `{% raw %}`, and `{% if name == "value" %}` (or `!=`) with `elsif` and `else`, not nested.
//!
//! This is a small subset, not the `liquid` crate that cargo-generate 0.23.14 uses
//! (`liquid ~0.26`): with `liquid` 0.26.11, a clean `cargo build -p xtask` took 122 s instead of
//! 18 s on the 2-core machine CI runs on (53 s of CPU instead of 8 s: pest's grammar generator,
//! regex, time and serde), paid by every fresh checkout and new CI machine. The subset is
//! stricter than Liquid, never looser: what it does not know is an error (a filter, nesting,
//! whitespace control, `and`), and so is an unknown variable, which cargo-generate would render
//! as an empty string. Like Liquid, it reads every branch of an `if`, not only the one taken.
//! `readme::tests` holds every README's rendering to the real cargo-generate's, byte for byte.

use std::collections::HashMap;

type Values = HashMap<String, String>;

/// What went wrong, and where: the address of the text it is about, inside the template.
struct Failure {
    at: usize,
    message: String,
}

fn fail(at: &str, message: impl Into<String>) -> Failure {
    Failure { at: at.as_ptr().addr(), message: message.into() }
}

/// Renders `template` with `values`.
///
/// # Errors
/// Names the first construct it does not understand, or the unknown variable.
pub(crate) fn render(template: &str, values: &Values) -> Result<String, String> {
    render_located(template, values).map_err(|(_, message)| message)
}

/// The same, with the line (from 1) of the construct an error is about.
///
/// # Errors
/// The line and the message.
pub(crate) fn render_located(template: &str, values: &Values) -> Result<String, (usize, String)> {
    render_text(template, values).map_err(|failure| {
        let offset = failure.at.saturating_sub(template.as_ptr().addr()).min(template.len());
        let newlines = template.as_bytes()[..offset].iter().filter(|byte| **byte == b'\n');
        (newlines.count() + 1, failure.message)
    })
}

fn render_text(template: &str, values: &Values) -> Result<String, Failure> {
    let mut output = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        output.push_str(&rest[..start]);
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix("{{") {
            let end = after.find("}}").ok_or_else(|| fail(rest, "unclosed {{"))?;
            let name = after[..end].trim();
            let value = values.get(name);
            output.push_str(value.ok_or_else(|| fail(rest, format!("unknown variable `{name}`")))?);
            rest = &after[end + 2..];
        } else if rest.starts_with("{%") {
            rest = render_tag(rest, values, &mut output)?;
        } else {
            output.push('{');
            rest = &rest[1..];
        }
    }
    output.push_str(rest);
    Ok(output)
}

/// Renders one `{% … %}` construct at the start of `text`; returns what follows it.
fn render_tag<'t>(text: &'t str, values: &Values, output: &mut String) -> Result<&'t str, Failure> {
    let (tag, after) = split_tag(text)?;
    if tag == "raw" {
        let end = after.find("{% endraw %}").ok_or_else(|| fail(text, "unclosed {% raw %}"))?;
        output.push_str(&after[..end]);
        return Ok(&after[end + "{% endraw %}".len()..]);
    }
    let Some(condition) = tag.strip_prefix("if ") else {
        return Err(fail(text, format!("unsupported tag `{tag}`")));
    };
    let end = after.find("{% endif %}").ok_or_else(|| fail(text, "unclosed {% if %}"))?;
    output.push_str(&choose_branch(condition, &after[..end], values)?);
    Ok(&after[end + "{% endif %}".len()..])
}

/// The rendering of the branch of an `if` block whose condition holds (or of the `else` branch,
/// or nothing). Every test and branch is read, as Liquid parses a whole file before rendering:
/// an error in a branch that no value reaches still keeps cargo-generate from rendering it.
fn choose_branch(first: &str, mut body: &str, values: &Values) -> Result<String, Failure> {
    let mut condition = Some(first);
    let mut chosen = None;
    loop {
        let next = body.find("{%");
        let (branch, tail) = next.map_or((body, ""), |at| (&body[..at], &body[at..]));
        let holds = condition.map_or(Ok(true), |test| evaluate(test, values))?;
        let rendered = render_text(branch, values)?;
        if holds && chosen.is_none() {
            chosen = Some(rendered);
        }
        if tail.is_empty() {
            return Ok(chosen.unwrap_or_default());
        }
        let (tag, after) = split_tag(tail)?;
        condition = match tag.strip_prefix("elsif ") {
            Some(test) => Some(test),
            None if tag == "else" => None,
            None => return Err(fail(tail, format!("unsupported tag `{tag}` inside if"))),
        };
        body = after;
    }
}

/// The tag at the start of `text`, and what follows it. Whitespace control (`{%-`, `-%}`) is
/// left in the tag, which no branch then accepts: the subset does not trim as Liquid does.
fn split_tag(text: &str) -> Result<(&str, &str), Failure> {
    let end = text.find("%}").ok_or_else(|| fail(text, "unclosed {%"))?;
    Ok((text[2..end].trim(), &text[end + 2..]))
}

/// `name == "literal"` or `name != "literal"`; anything else (an unquoted literal, `and`, `or`,
/// another operator) is an error.
fn evaluate(test: &str, values: &Values) -> Result<bool, Failure> {
    let unsupported = || fail(test, format!("unsupported test `{test}`"));
    let (name, literal, equal) = match test.split_once("!=") {
        Some((name, literal)) => (name, literal, false),
        None => test
            .split_once("==")
            .map(|(name, literal)| (name, literal, true))
            .ok_or_else(unsupported)?,
    };
    let literal = literal.trim().strip_prefix('"').and_then(|rest| rest.strip_suffix('"'));
    let literal = literal.filter(|literal| !literal.contains('"')).ok_or_else(unsupported)?;
    let name = name.trim();
    let value = values.get(name).ok_or_else(|| fail(test, format!("unknown variable `{name}`")))?;
    Ok((value == literal) == equal)
}
