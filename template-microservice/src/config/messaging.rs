//! NATS, the outbox relay, the payment consumer and request–reply.

use std::time::Duration;

use super::raw::{millis, positive, secs};
use super::{ConfigError, RawConfig};

/// Everything about messaging.
#[derive(Debug, Clone)]
pub struct MessagingConfig {
    /// The NATS server (`NATS_URL`, default `nats://127.0.0.1:4222`).
    pub nats_url: String,
    /// The outbox relay.
    pub relay: RelayConfig,
    /// The payment consumer.
    pub consumer: ConsumerConfig,
    /// Longest the `orders.get` responder works on one request (`RPC_TIMEOUT_MS`, 2000).
    pub rpc_timeout: Duration,
}

/// The outbox relay.
#[derive(Debug, Clone, Copy)]
pub struct RelayConfig {
    /// Most events claimed and published at once (`OUTBOX_BATCH_SIZE`, default 500).
    pub batch_size: u32,
    /// Longest an idle relay waits before looking again (`OUTBOX_POLL_INTERVAL_MS`, 200).
    /// Events written by this instance wake it at once; the interval is for other instances'.
    pub poll_interval: Duration,
    /// How long sent events are kept (`OUTBOX_RETENTION_SECS`, default 3600).
    pub retention: Duration,
}

/// The durable pull consumer of payment events.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// The durable consumer's name (`CONSUMER_NAME`, default `orders-payments`).
    pub name: String,
    /// Deliveries before a message is dead-lettered (`CONSUMER_MAX_DELIVER`, default 5).
    pub max_deliver: u32,
    /// How long a delivery may stay unacknowledged before it is redelivered
    /// (`CONSUMER_ACK_WAIT_MS`, default 30000).
    pub ack_wait: Duration,
    /// First retry delay (`CONSUMER_BACKOFF_INITIAL_MS`, default 500), doubled per attempt.
    pub backoff_initial: Duration,
    /// Longest retry delay (`CONSUMER_BACKOFF_MAX_MS`, default 30000).
    pub backoff_max: Duration,
    /// Most messages pulled at once (`CONSUMER_BATCH_SIZE`, default 256).
    pub batch_size: u32,
    /// Settlement transactions in flight at once, each of up to 64 messages
    /// (`CONSUMER_CONCURRENCY`, default 4).
    pub concurrency: usize,
}

impl MessagingConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let nats_url = raw.nats_url.clone().unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned());
        if nats_url.trim().is_empty() {
            return Err(ConfigError::new("NATS_URL", "must not be empty"));
        }
        Ok(Self {
            nats_url,
            relay: RelayConfig {
                batch_size: positive("OUTBOX_BATCH_SIZE", raw.outbox_batch_size.unwrap_or(500))?,
                poll_interval: millis("OUTBOX_POLL_INTERVAL_MS", raw.outbox_poll_interval_ms, 200)?,
                retention: secs("OUTBOX_RETENTION_SECS", raw.outbox_retention_secs, 3_600)?,
            },
            consumer: ConsumerConfig::from_raw(raw)?,
            rpc_timeout: millis("RPC_TIMEOUT_MS", raw.rpc_timeout_ms, 2_000)?,
        })
    }
}

impl ConsumerConfig {
    fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let name = raw.consumer_name.clone().unwrap_or_else(|| "orders-payments".to_owned());
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if name.is_empty() || !name.chars().all(valid) {
            return Err(ConfigError::new("CONSUMER_NAME", "use letters, digits, `-` and `_`"));
        }
        let backoff_initial =
            millis("CONSUMER_BACKOFF_INITIAL_MS", raw.consumer_backoff_initial_ms, 500)?;
        let backoff_max = millis("CONSUMER_BACKOFF_MAX_MS", raw.consumer_backoff_max_ms, 30_000)?;
        if backoff_max < backoff_initial {
            let message = "must be at least CONSUMER_BACKOFF_INITIAL_MS";
            return Err(ConfigError::new("CONSUMER_BACKOFF_MAX_MS", message));
        }
        Ok(Self {
            name,
            max_deliver: positive("CONSUMER_MAX_DELIVER", raw.consumer_max_deliver.unwrap_or(5))?,
            ack_wait: millis("CONSUMER_ACK_WAIT_MS", raw.consumer_ack_wait_ms, 30_000)?,
            backoff_initial,
            backoff_max,
            batch_size: positive("CONSUMER_BATCH_SIZE", raw.consumer_batch_size.unwrap_or(256))?,
            concurrency: positive("CONSUMER_CONCURRENCY", raw.consumer_concurrency.unwrap_or(4))?,
        })
    }

    /// The delay before retrying a message that failed on delivery `attempt` (from 1):
    /// exponential from the initial delay, capped.
    #[must_use]
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempt.saturating_sub(1));
        self.backoff_initial.saturating_mul(factor).min(self.backoff_max)
    }
}
