//! Request ids, a tracing span per request, and request metrics with bounded labels, as a
//! folder you can copy.
//!
//! The folder depends on external crates and on itself only (see `MODULE.md` for the
//! dependencies and the wiring).
//!
//! - `request_id.rs`: [`REQUEST_ID`], [`RequestIdLayer`]: the caller's id when well-formed, a
//!   UUID otherwise, echoed.
//! - `span.rs`: [`request_span`], the span of one request, with its id.
//! - `metrics.rs`: [`MetricsLayer`], a count and a duration per method, route template and
//!   status, with labels no client can multiply.
//! - `prometheus.rs`: [`install_recorder`], the Prometheus recorder and its buckets.

mod metrics;
mod prometheus;
mod request_id;
mod span;
#[cfg(test)]
mod tests;

pub use metrics::{MetricsFuture, MetricsLayer, MetricsService};
pub use prometheus::install_recorder;
pub use request_id::{REQUEST_ID, RequestIdFuture, RequestIdLayer, RequestIdService};
pub use span::request_span;
