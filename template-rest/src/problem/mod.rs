//! The error model and its RFC 9457 problem+json responses, as a folder you can copy.
//!
//! Handlers and services return [`AppError`]; [`Problem`] alone turns it into a response, with
//! the status each variant stands for, `Retry-After` where a retry makes sense, and nothing of
//! an internal error's cause. The folder depends on external crates and on itself only (see
//! `MODULE.md` for the dependencies and the wiring); the OpenAPI descriptions of its responses
//! are in [`openapi`], behind the `openapi` cargo feature.
//!
//! - `error.rs`: [`AppError`], [`FieldError`], [`AppResult`]; no HTTP types.
//! - `response.rs`: [`Problem`], the mapping from [`AppError`], the 404 and 405 fallbacks.
//! - `openapi.rs`: the reusable error responses of the OpenAPI document (`openapi` feature).

mod error;
#[cfg(feature = "openapi")]
pub mod openapi;
mod response;
#[cfg(test)]
mod tests;

pub use error::{AppError, AppResult, FieldError};
pub use response::{PROBLEM_JSON, Problem, method_not_allowed, route_not_found};
