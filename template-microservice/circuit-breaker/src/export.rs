//! Export to the `metrics` crate, behind the `metrics` feature.
//!
//! Handles are registered once, when the breaker is built, with the recorder
//! installed at that moment; every later update is a plain increment or set.
//! Names: `circuit_breaker_state` (gauge, see [`crate::State::as_index`]),
//! `circuit_breaker_calls_total` (counter, label `outcome` = `success`,
//! `failure` or `ignored`), `circuit_breaker_slow_calls_total` and
//! `circuit_breaker_rejections_total` (counters). All carry a `name` label.
//! Without the feature every method is an empty inline function.

use crate::{Outcome, State};

#[cfg(feature = "metrics")]
#[derive(Debug)]
pub(crate) struct Export {
    state: metrics::Gauge,
    successes: metrics::Counter,
    failures: metrics::Counter,
    ignored: metrics::Counter,
    slow: metrics::Counter,
    rejections: metrics::Counter,
}

#[cfg(feature = "metrics")]
impl Export {
    pub(crate) fn new(name: &str) -> Self {
        let calls = |outcome: &'static str| metrics::counter!("circuit_breaker_calls_total", "name" => name.to_owned(), "outcome" => outcome);
        Self {
            state: metrics::gauge!("circuit_breaker_state", "name" => name.to_owned()),
            successes: calls("success"),
            failures: calls("failure"),
            ignored: calls("ignored"),
            slow: metrics::counter!("circuit_breaker_slow_calls_total", "name" => name.to_owned()),
            rejections: metrics::counter!("circuit_breaker_rejections_total", "name" => name.to_owned()),
        }
    }

    pub(crate) fn state(&self, state: State) {
        self.state.set(f64::from(state.as_index()));
    }

    pub(crate) fn outcome(&self, outcome: Outcome, slow: bool) {
        match outcome {
            Outcome::Success => self.successes.increment(1),
            Outcome::Failure => self.failures.increment(1),
            Outcome::Ignored => self.ignored.increment(1),
        }
        if slow {
            self.slow.increment(1);
        }
    }

    pub(crate) fn rejected(&self) {
        self.rejections.increment(1);
    }
}

#[cfg(not(feature = "metrics"))]
#[derive(Debug)]
pub(crate) struct Export;

// Same signatures as the exporting implementation, so callers need no cfg.
#[cfg(not(feature = "metrics"))]
#[allow(clippy::unused_self)]
impl Export {
    pub(crate) fn new(_name: &str) -> Self {
        Self
    }

    #[inline]
    pub(crate) fn state(&self, _state: State) {}

    #[inline]
    pub(crate) fn outcome(&self, _outcome: Outcome, _slow: bool) {}

    #[inline]
    pub(crate) fn rejected(&self) {}
}
