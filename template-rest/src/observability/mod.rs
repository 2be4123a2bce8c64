//! Request ids, a tracing span per request, and request metrics with bounded labels, as a
//! folder you can copy.
//!
//! The folder depends on external crates and on itself only (see `MODULE.md` for the
//! dependencies and the wiring).
//!
//! - `request_id.rs`: [`REQUEST_ID`], [`RequestIdLayer`]: the caller's id when well-formed, a
//!   UUID otherwise, echoed; the same in three steps for a `from_fn` stack:
//!   [`sanitize_request_id`], [`set_request_id`], [`propagate_request_id`].
//! - `span.rs`: [`request_span`], the span of one request, with its id.
//! - `metrics.rs`: [`MetricsLayer`] (and [`record_metrics`] for a `from_fn` stack), a count
//!   and a duration per method, route template and status, with labels no client can multiply.
//! - `prometheus.rs`: [`install_recorder`], the Prometheus recorder and its buckets.

mod metrics;
mod prometheus;
mod request_id;
mod span;
#[cfg(test)]
mod tests;

pub use metrics::{MetricsFuture, MetricsLayer, MetricsService, record_metrics};
pub use prometheus::install_recorder;
pub use request_id::{
    REQUEST_ID, RequestIdFuture, RequestIdLayer, RequestIdService, propagate_request_id,
    sanitize_request_id, set_request_id,
};
pub use span::request_span;
