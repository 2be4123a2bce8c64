//! NATS, the outbox relay, the payment consumer and request–reply: the variables, read into
//! the settings of [`NatsSettings`] (the broker), [`RelaySettings`] and [`ConsumerSettings`]
//! (the outbox module).

use std::time::Duration;

use super::raw::{millis, millis_or, positive, secs_or};
use super::{ConfigError, RawConfig};
use crate::messaging::nats::NatsSettings;
use crate::outbox::{ConsumerSettings, RelaySettings};

/// Everything about messaging.
#[derive(Debug, Clone)]
pub struct MessagingConfig {
    /// The broker: `NATS_URL` (default `nats://127.0.0.1:4222`), `CONSUMER_NAME` (default
    /// `orders-payments`), `CONSUMER_ACK_WAIT_MS` (default 30000); at most four pulls of
    /// messages unsettled.
    pub nats: NatsSettings,
    /// The outbox relay: `OUTBOX_BATCH_SIZE` (default 500), `OUTBOX_POLL_INTERVAL_MS` (200),
    /// `OUTBOX_RETENTION_SECS` (3600).
    pub(crate) relay: RelaySettings,
    /// The payment consumer: `CONSUMER_MAX_DELIVER` (default 5),
    /// `CONSUMER_BACKOFF_INITIAL_MS` (500), `CONSUMER_BACKOFF_MAX_MS` (30000),
    /// `CONSUMER_BATCH_SIZE` (256), `CONSUMER_CONCURRENCY` (4); a pull waits 5 s at most.
    pub consumer: ConsumerSettings,
    /// Longest the `orders.get` responder works on one request (`RPC_TIMEOUT_MS`, 2000).
    pub(crate) rpc_timeout: Duration,
}

impl MessagingConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let consumer = consumer(raw)?;
        Ok(Self {
            nats: nats(raw, &consumer)?,
            relay: relay(raw)?,
            consumer,
            rpc_timeout: millis("RPC_TIMEOUT_MS", raw.rpc_timeout_ms, 2_000)?,
        })
    }
}

/// The relay's settings; the module's defaults for what is not set.
fn relay(raw: &RawConfig) -> Result<RelaySettings, ConfigError> {
    let defaults = RelaySettings::default();
    Ok(RelaySettings {
        batch_size: positive(
            "OUTBOX_BATCH_SIZE",
            raw.outbox_batch_size.unwrap_or(defaults.batch_size),
        )?,
        poll_interval: millis_or(
            "OUTBOX_POLL_INTERVAL_MS",
            raw.outbox_poll_interval_ms,
            defaults.poll_interval,
        )?,
        retention: secs_or("OUTBOX_RETENTION_SECS", raw.outbox_retention_secs, defaults.retention)?,
    })
}

/// The broker's settings; the consumer's pulls wait less than its acknowledgement deadline.
fn nats(raw: &RawConfig, consumer: &ConsumerSettings) -> Result<NatsSettings, ConfigError> {
    let url = raw.nats_url.clone().unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned());
    if url.trim().is_empty() {
        return Err(ConfigError::new("NATS_URL", "must not be empty"));
    }
    let name = raw.consumer_name.clone().unwrap_or_else(|| "orders-payments".to_owned());
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(valid) {
        return Err(ConfigError::new("CONSUMER_NAME", "use letters, digits, `-` and `_`"));
    }
    Ok(NatsSettings {
        url,
        consumer_name: name,
        ack_wait: millis("CONSUMER_ACK_WAIT_MS", raw.consumer_ack_wait_ms, 30_000)?,
        max_ack_pending: i64::from(consumer.batch_size) * 4,
    })
}

/// The consumer's settings; the module's defaults for what is not set.
fn consumer(raw: &RawConfig) -> Result<ConsumerSettings, ConfigError> {
    let defaults = ConsumerSettings::default();
    let backoff_initial = millis_or(
        "CONSUMER_BACKOFF_INITIAL_MS",
        raw.consumer_backoff_initial_ms,
        defaults.backoff_initial,
    )?;
    let backoff_max =
        millis_or("CONSUMER_BACKOFF_MAX_MS", raw.consumer_backoff_max_ms, defaults.backoff_max)?;
    if backoff_max < backoff_initial {
        let message = "must be at least CONSUMER_BACKOFF_INITIAL_MS";
        return Err(ConfigError::new("CONSUMER_BACKOFF_MAX_MS", message));
    }
    let ack_wait = millis("CONSUMER_ACK_WAIT_MS", raw.consumer_ack_wait_ms, 30_000)?;
    let batch_size = raw.consumer_batch_size.unwrap_or(defaults.batch_size);
    let concurrency = raw.consumer_concurrency.unwrap_or(defaults.concurrency);
    let max_deliver = raw.consumer_max_deliver.unwrap_or(defaults.max_deliver);
    Ok(ConsumerSettings {
        batch_size: positive("CONSUMER_BATCH_SIZE", batch_size)?,
        pull_wait: ack_wait.min(defaults.pull_wait),
        concurrency: positive("CONSUMER_CONCURRENCY", concurrency)?,
        max_deliver: positive("CONSUMER_MAX_DELIVER", max_deliver)?,
        backoff_initial,
        backoff_max,
        ..defaults
    })
}
