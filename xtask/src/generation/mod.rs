//! Generating a project from a template and checking it: what `templates`, `check-variants`,
//! `new`, `upgrade` and `bench build` share. [`discover`] reads each template's
//! `cargo-generate.toml` (its placeholders and their values), [`generate()`] runs the real
//! `cargo generate` and the [`Step`]s a generated project goes through, and [`deploy`] is the
//! offline check of its deployment files, the first of those steps.

mod deploy;
mod discover;
mod generate;

pub(crate) use deploy::print_tool_versions;
pub(crate) use discover::{
    Template, check_each_template, placeholders as discover_placeholders, string_list, templates,
};
pub(crate) use generate::{
    CARGO_GENERATE_VERSION, Generation, Step, cargo_generate_version, check_traces, generate,
};
