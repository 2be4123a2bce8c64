//! The Prometheus recorder behind the `metrics` facade, with request-duration buckets that
//! fit a service answering in milliseconds.
//!
//! The recorder keeps every histogram sample until it is drained into its buckets, which
//! rendering `/metrics` does. A thread drains them every [`UPKEEP_PERIOD`] too: without it, a
//! service nobody scrapes would keep every request's duration, growing by 8 bytes a request.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request-duration buckets, in seconds: fine below 100 ms, where this service should live.
const DURATION_BUCKETS: [f64; 14] =
    [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

/// How often the samples of histograms are drained into their buckets.
const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

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
            drain_periodically(handle.clone());
            handle
        })
        .clone()
}

/// Drains the histograms every [`UPKEEP_PERIOD`], for the life of the process.
fn drain_periodically(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name("metrics-upkeep".to_owned()).spawn(move || {
        loop {
            std::thread::sleep(UPKEEP_PERIOD);
            handle.run_upkeep();
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no thread to drain metrics: histograms drain when scraped");
    }
}
