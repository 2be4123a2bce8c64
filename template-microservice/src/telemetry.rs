//! Logging with `tracing` (human-readable by default, JSON with `LOG_FORMAT=json`; level from
//! `RUST_LOG`, default `info`) and the Prometheus recorder behind the `metrics` facade.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::domain::trace::TraceContext;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Request-duration buckets, in seconds: fine below 100 ms, where this service should live.
const DURATION_BUCKETS: [f64; 14] =
    [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

/// Installs the global subscriber, with OpenTelemetry export when the `otel` feature is on and
/// an endpoint is configured. Calling it twice keeps the first one.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let output = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
    };
    let registry = tracing_subscriber::registry().with(filter).with(output);
    #[cfg(feature = "otel")]
    let registry = registry.with(crate::otel::layer());
    // A second call (tests start several instances) keeps the first subscriber.
    drop(registry.try_init());
}

/// This service's position in the trace of `parent`, to send onwards; with the `otel` feature,
/// `span` is also made the child of `parent` in the exported trace.
#[must_use]
pub(crate) fn link(span: &tracing::Span, parent: TraceContext) -> TraceContext {
    #[cfg(feature = "otel")]
    return crate::otel::link(span, parent);
    #[cfg(not(feature = "otel"))]
    {
        let _ = span;
        parent.child()
    }
}

/// Flushes what telemetry buffers (the OpenTelemetry exporter, with the `otel` feature).
pub(crate) fn shutdown() {
    #[cfg(feature = "otel")]
    crate::otel::shutdown();
}

/// The process-wide Prometheus recorder, installed on first use.
///
/// # Panics
/// Never in practice: the bucket list is valid and non-empty.
pub(crate) fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    &DURATION_BUCKETS,
                )
                .expect("non-empty buckets")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        })
        .clone()
}
