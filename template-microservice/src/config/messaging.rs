//! NATS, the outbox relay, the payment consumer and request–reply: the variables, read into
//! the settings of [`NatsSettings`] (the broker), [`RelaySettings`] and [`ConsumerSettings`]
//! (the outbox module).

use std::time::Duration;

use super::raw::{millis, positive, secs};
use super::{ConfigError, RawConfig};
use crate::messaging::nats::NatsSettings;
use crate::outbox::{ConsumerSettings, RelaySettings};

/// The longest a pull waits for messages (less when `CONSUMER_ACK_WAIT_MS` is shorter).
const PULL_WAIT: Duration = Duration::from_secs(5);

/// Everything about messaging.
#[derive(Debug, Clone)]
pub struct MessagingConfig {
    /// The broker: `NATS_URL` (default `nats://127.0.0.1:4222`), `CONSUMER_NAME` (default
    /// `orders-payments`), `CONSUMER_ACK_WAIT_MS` (default 30000); at most four pulls of
    /// messages unsettled.
    pub nats: NatsSettings,
    /// The outbox relay: `OUTBOX_BATCH_SIZE` (default 500), `OUTBOX_POLL_INTERVAL_MS` (200),
    /// `OUTBOX_RETENTION_SECS` (3600).
    pub relay: RelaySettings,
    /// The payment consumer: `CONSUMER_MAX_DELIVER` (default 5),
    /// `CONSUMER_BACKOFF_INITIAL_MS` (500), `CONSUMER_BACKOFF_MAX_MS` (30000),
    /// `CONSUMER_BATCH_SIZE` (256), `CONSUMER_CONCURRENCY` (4); a pull waits 5 s at most.
    pub consumer: ConsumerSettings,
    /// Longest the `orders.get` responder works on one request (`RPC_TIMEOUT_MS`, 2000).
    pub rpc_timeout: Duration,
}

impl MessagingConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let consumer = consumer(raw)?;
        Ok(Self {
            nats: nats(raw, &consumer)?,
            relay: RelaySettings {
                batch_size: positive("OUTBOX_BATCH_SIZE", raw.outbox_batch_size.unwrap_or(500))?,
                poll_interval: millis("OUTBOX_POLL_INTERVAL_MS", raw.outbox_poll_interval_ms, 200)?,
                retention: secs("OUTBOX_RETENTION_SECS", raw.outbox_retention_secs, 3_600)?,
            },
            consumer,
            rpc_timeout: millis("RPC_TIMEOUT_MS", raw.rpc_timeout_ms, 2_000)?,
        })
    }
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

fn consumer(raw: &RawConfig) -> Result<ConsumerSettings, ConfigError> {
    let backoff_initial =
        millis("CONSUMER_BACKOFF_INITIAL_MS", raw.consumer_backoff_initial_ms, 500)?;
    let backoff_max = millis("CONSUMER_BACKOFF_MAX_MS", raw.consumer_backoff_max_ms, 30_000)?;
    if backoff_max < backoff_initial {
        let message = "must be at least CONSUMER_BACKOFF_INITIAL_MS";
        return Err(ConfigError::new("CONSUMER_BACKOFF_MAX_MS", message));
    }
    let ack_wait = millis("CONSUMER_ACK_WAIT_MS", raw.consumer_ack_wait_ms, 30_000)?;
    Ok(ConsumerSettings {
        batch_size: positive("CONSUMER_BATCH_SIZE", raw.consumer_batch_size.unwrap_or(256))?,
        pull_wait: ack_wait.min(PULL_WAIT),
        concurrency: positive("CONSUMER_CONCURRENCY", raw.consumer_concurrency.unwrap_or(4))?,
        max_deliver: positive("CONSUMER_MAX_DELIVER", raw.consumer_max_deliver.unwrap_or(5))?,
        backoff_initial,
        backoff_max,
        ..ConsumerSettings::default()
    })
}
