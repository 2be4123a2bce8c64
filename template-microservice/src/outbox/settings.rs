//! The settings of the relay and of the consumer, with their defaults. The module reads no
//! environment variable: the app fills these structs from its own configuration.

use std::time::Duration;

/// How the relay publishes the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelaySettings {
    /// Most events claimed and published at once (default 500).
    pub batch_size: u32,
    /// Longest an idle relay waits before looking again (default 200 ms). Events committed by
    /// this instance wake it at once through the [`super::store::Signal`]; the interval is for
    /// other instances' events.
    pub poll_interval: Duration,
    /// How long sent events are kept before they are purged (default one hour).
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch_size: 500,
            poll_interval: Duration::from_millis(200),
            retention: Duration::from_hours(1),
        }
    }
}

/// How the consumer pulls, retries and dead-letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerSettings {
    /// Most messages pulled at once (default 256).
    pub batch_size: u32,
    /// Longest one pull waits for messages (default 5 s); keep it below the broker's
    /// acknowledgement deadline.
    pub pull_wait: Duration,
    /// Messages whose effects are applied in one call of [`super::consumer::Inbox::apply_all`], that is
    /// one database transaction (default 64).
    pub transaction_size: usize,
    /// Such transactions in flight at once (default 4).
    pub concurrency: usize,
    /// Deliveries before a message that keeps failing is dead-lettered (default 5).
    pub max_deliver: u32,
    /// First retry delay (default 500 ms), doubled per attempt; also the pause after a
    /// failed pull.
    pub backoff_initial: Duration,
    /// Longest retry delay (default 30 s); also the delay of a dead letter that could not be
    /// stored.
    pub backoff_max: Duration,
    /// Where dead letters go: this prefix, then the original subject (default `dlq.`).
    pub dead_letter_prefix: String,
    /// Headers not copied onto a dead letter (default `Nats-Msg-Id`: the broker's
    /// deduplication id of the original, which would make the letter a duplicate).
    pub dead_letter_dropped_headers: Vec<String>,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self {
            batch_size: 256,
            pull_wait: Duration::from_secs(5),
            transaction_size: 64,
            concurrency: 4,
            max_deliver: 5,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            dead_letter_prefix: "dlq.".to_owned(),
            dead_letter_dropped_headers: vec!["Nats-Msg-Id".to_owned()],
        }
    }
}

impl ConsumerSettings {
    /// The delay before retrying a message that failed on delivery `attempt` (from 1):
    /// exponential from the initial delay, capped.
    #[must_use]
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempt.saturating_sub(1));
        self.backoff_initial.saturating_mul(factor).min(self.backoff_max)
    }
}
