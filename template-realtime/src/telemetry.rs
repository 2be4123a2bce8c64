//! Logging with `tracing` (human-readable by default, JSON with `LOG_FORMAT=json`; level from
//! `RUST_LOG`, default `info`) and the Prometheus recorder behind the `metrics` facade.
//!
//! The metrics: `realtime_connections` (gauge, by transport), `realtime_messages_in_total`
//! and `realtime_messages_out_total` (frames from and to clients),
//! `realtime_slow_consumer_disconnects_total`, `realtime_heartbeat_timeouts_total`,
//! `realtime_broker_errors_total` (by operation) and `realtime_broker_lag_seconds` (histogram:
//! from publication to delivery on this node).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use serde::Deserialize;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Broker lag buckets, in seconds: fine below 50 ms, where delivery should stay.
const LAG_BUCKETS: [f64; 12] =
    [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// Installs the global subscriber. Calling it twice keeps the first one.
pub(crate) fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    if let Err(error) = result {
        tracing::debug!(%error, "tracing already initialised");
    }
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
                    Matcher::Full("realtime_broker_lag_seconds".to_owned()),
                    &LAG_BUCKETS,
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

/// `realtime_messages_out_total`, looked up once: it is counted on every batch of frames.
/// The recorder must be installed first ([`metrics()`]), as `app::state` does.
pub(crate) fn messages_out() -> &'static metrics::Counter {
    static COUNTER: OnceLock<metrics::Counter> = OnceLock::new();
    COUNTER.get_or_init(|| metrics::counter!("realtime_messages_out_total"))
}

/// `realtime_messages_in_total`, looked up once, like [`messages_out`].
pub(crate) fn messages_in() -> &'static metrics::Counter {
    static COUNTER: OnceLock<metrics::Counter> = OnceLock::new();
    COUNTER.get_or_init(|| metrics::counter!("realtime_messages_in_total"))
}

/// Counts a failed broker operation.
pub(crate) fn broker_error(operation: &'static str, error: &dyn std::fmt::Display) {
    tracing::warn!(%error, operation, "broker operation failed");
    metrics::counter!("realtime_broker_errors_total", "operation" => operation).increment(1);
}
