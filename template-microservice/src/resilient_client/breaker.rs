//! The circuit breaker of a stack: built from its settings, with its state changes logged and
//! counted (`circuit_breaker_transitions_total`); its state gauge comes from the
//! circuit-breaker crate's `metrics` feature.

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Event, Handle, OpenWait, Outcome};

use super::client::{AttemptError, HttpResponse};
use super::settings::BreakerSettings;

/// How often state changes are read from the breaker's event queue.
const EVENT_POLL: Duration = Duration::from_millis(100);

/// What the rest of an app sees of a breaker: its name and its state, for readiness.
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
/// When a setting is out of range (see [`BreakerSettings`]).
pub fn build(
    name: &'static str,
    config: &BreakerSettings,
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

/// Logs and counts the breaker's state changes; runs until its task is aborted (abort it last,
/// on shutdown).
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
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::BreakerSettings;

    /// The formatter's output, shared with the test.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, text: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").write(text)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
        }
    }

    #[tokio::test]
    async fn state_changes_are_logged_under_the_breaker_module() {
        let sink = Sink::default();
        let writer = sink.clone();
        let format = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone());
        let _logs = tracing::subscriber::set_default(format.finish());
        let settings = BreakerSettings { minimum_calls: 5, ..BreakerSettings::default() };
        let breaker = super::build("test", &settings).expect("valid settings");
        let watcher = tokio::spawn(super::watch("test", breaker.handle()));
        tokio::task::yield_now().await; // the watcher subscribes
        breaker.handle().force_open();
        let logged = tokio::time::timeout(Duration::from_secs(5), async {
            while sink.text().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        logged.await.expect("the state change is logged");
        watcher.abort();
        let target = module_path!().trim_end_matches("::tests");
        let line = sink.text();
        assert!(line.contains(&format!(" {target}: ")), "under its module: {line}");
        assert!(
            ["breaker=\"test\"", "from=closed", "to=forced-open"]
                .iter()
                .all(|field| line.contains(field)),
            "{line}"
        );
    }
}
