//! The Prometheus recorder behind the `metrics` facade, with request-duration buckets that
//! fit a service answering in milliseconds.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request-duration buckets, in seconds: fine below 100 ms, where this service should live.
const DURATION_BUCKETS: [f64; 14] =
    [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

/// The process-wide Prometheus recorder, installed on first use; its handle renders the text
/// format for `/metrics`. When another recorder was installed first, that one keeps
/// recording and a warning is logged.
///
/// # Panics
/// Never in practice: the bucket list is valid and non-empty.
pub fn install_recorder() -> PrometheusHandle {
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
