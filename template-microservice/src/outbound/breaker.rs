//! The inventory circuit breaker: built from its settings, with its state changes logged and
//! counted (`circuit_breaker_transitions_total`); its state gauge comes from the
//! circuit-breaker crate's `metrics` feature.

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Event, Handle, OpenWait, Outcome};
use tokio_util::sync::CancellationToken;

use super::AttemptError;
use super::client::HttpResponse;
use crate::config::BreakerConfig;

/// How often state changes are read from the breaker's event queue.
const EVENT_POLL: Duration = Duration::from_millis(100);

/// Builds the breaker named `name`. Build it after the metrics recorder is installed.
///
/// # Errors
/// When a setting is out of range (checked by the configuration already).
pub fn build(
    name: &'static str,
    config: &BreakerConfig,
) -> Result<CircuitBreaker, circuit_breaker::ConfigError> {
    CircuitBreaker::builder()
        .name(name)
        .count_window(config.window)
        .minimum_calls(config.minimum_calls)
        .failure_rate(config.failure_rate)
        .half_open_trials(config.half_open_trials)
        .open_wait(OpenWait::Fixed(config.open_wait))
        .build()
}

/// What counts against the downstream: server errors, timeouts and transport failures. A 4xx
/// (such as 409, out of stock) is a correct answer.
#[must_use]
pub fn classify(result: &Result<HttpResponse, AttemptError>) -> Outcome {
    match result {
        Ok(response) if response.status().is_server_error() => Outcome::Failure,
        Ok(_) => Outcome::Success,
        Err(_) => Outcome::Failure,
    }
}

/// Logs and counts the breaker's state changes until `stop` is cancelled.
pub async fn watch(name: &'static str, handle: Handle, stop: CancellationToken) {
    let events = handle.subscribe(64);
    let mut tick = tokio::time::interval(EVENT_POLL);
    while !stop.is_cancelled() {
        tokio::select! {
            () = stop.cancelled() => {}
            _ = tick.tick() => {}
        }
        while let Some(event) = events.try_recv() {
            log_event(name, event);
        }
    }
}

fn log_event(name: &'static str, event: Event) {
    if let Event::StateTransition { from, to } = event {
        tracing::warn!(breaker = name, %from, %to, "circuit breaker state changed");
        let to = to.to_string();
        metrics::counter!("circuit_breaker_transitions_total", "name" => name, "to" => to)
            .increment(1);
    }
}
