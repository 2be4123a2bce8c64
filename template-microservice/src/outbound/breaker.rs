//! The inventory circuit breaker: built from its settings, with its state changes logged and
//! counted (`circuit_breaker_transitions_total`); its state gauge comes from the
//! circuit-breaker crate's `metrics` feature.

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Event, Handle, OpenWait, Outcome};

use super::AttemptError;
use super::client::HttpResponse;
use crate::config::BreakerConfig;

/// How often state changes are read from the breaker's event queue.
const EVENT_POLL: Duration = Duration::from_millis(100);

/// What lies outside `outbound/` sees of a breaker: its name and its state, for readiness.
#[derive(Clone)]
pub struct BreakerStatus {
    name: &'static str,
    handle: Handle,
}

impl BreakerStatus {
    /// The status of the breaker behind `handle`, reported under `name`.
    #[must_use]
    pub fn new(name: &'static str, handle: Handle) -> Self {
        Self { name, handle }
    }

    /// The breaker's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its state now: `closed`, `open`, `half-open`, `disabled` or `forced-open`.
    #[must_use]
    pub fn state(&self) -> String {
        self.handle.state().to_string()
    }
}

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

/// Logs and counts the breaker's state changes; runs until its task is aborted (the workers
/// abort it last, on shutdown).
pub async fn watch(name: &'static str, handle: Handle) {
    let events = handle.subscribe(64);
    let mut tick = tokio::time::interval(EVENT_POLL);
    loop {
        tick.tick().await;
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config::BreakerConfig;
    use crate::fakes::LogCapture;

    #[tokio::test]
    async fn state_changes_are_logged_under_the_breaker_module() {
        let logs = LogCapture::start();
        let config = BreakerConfig {
            window: 10,
            minimum_calls: 5,
            failure_rate: 0.5,
            open_wait: Duration::from_mins(1),
            half_open_trials: 1,
        };
        let breaker = super::build("test", &config).expect("valid settings");
        let watcher = tokio::spawn(super::watch("test", breaker.handle()));
        tokio::task::yield_now().await; // the watcher subscribes
        breaker.handle().force_open();
        let logged = tokio::time::timeout(Duration::from_secs(5), async {
            while logs.events().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        logged.await.expect("the state change is logged");
        watcher.abort();
        let (target, fields) = &logs.events()[0];
        assert_eq!(target, module_path!().trim_end_matches("::tests"));
        assert!(["breaker", "from", "to"].iter().all(|name| fields.contains(&(*name).to_owned())));
    }
}
