//! The per-user publish rate of every node in Redis (`RATE_LIMIT_STORE=redis`): one GCRA script
//! per publication, so a user alternating between nodes has one allowance, not one per node.
//!
//! The key `<prefix>:publish:<user>` holds the bucket's theoretical arrival time and expires
//! when the bucket is full again. Each decision waits at most `RATE_LIMIT_REDIS_TIMEOUT_MS`;
//! without an answer, `RATE_LIMIT_REDIS_FAILURE=open` decides with this node's own count and
//! `closed` refuses, each such decision counted in
//! `realtime_rate_limit_store_fallback_total`, and Redis is left alone for a second.
//! Connections stay counted per node: a connection's end is counted from `Drop`, which cannot
//! wait for Redis, and the counts of a node that dies would stay behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::BrokerConfig;
use super::keys::Keys;
use crate::rate::RateLimit;
use crate::users::{MemoryUserStore, SharedLimits, UserLimitStore, Verdict};

/// Whether this broker can hold the per-user limits of every node.
pub(crate) const SHARED_USER_LIMITS: bool = true;

/// GCRA: the key holds the theoretical arrival time in microseconds. `ARGV[1]`: microseconds
/// between two tokens; `ARGV[2]`: the burst. Answers 0 when allowed, else the microseconds to
/// wait. Reads Redis's clock, so nodes with skewed clocks agree.
const GCRA: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local wait = tat + interval - burst * interval - now
if wait > 0 then
  return wait
end
local next_tat = tat + interval
local ttl = math.ceil((next_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', string.format('%d', ttl))
return 0
";

/// How long Redis is left alone after it failed.
const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// What a refusal without Redis asks the client to wait.
const CLOSED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The publish rate of every node, in the broker's Redis. The connection to Redis is opened
/// on the first publication, so a slow Redis cannot hold up the start.
#[must_use]
pub(crate) fn user_store(
    config: &BrokerConfig,
    limits: SharedLimits,
) -> Option<Arc<dyn UserLimitStore>> {
    let keys = Keys { prefix: config.options.prefix.clone() };
    match RedisUserStore::new(&config.url, keys, limits) {
        Ok(store) => Some(Arc::new(store)),
        Err(error) => {
            tracing::error!(%error, "per-user limits stay per node");
            None
        }
    }
}

struct RedisUserStore {
    connection: ConnectionManager,
    keys: Keys,
    limits: SharedLimits,
    script: Script,
    local: MemoryUserStore,
    /// Milliseconds after `started` before which Redis is not asked.
    paused_until: AtomicU64,
    started: Instant,
}

impl RedisUserStore {
    fn new(url: &str, keys: Keys, limits: SharedLimits) -> redis::RedisResult<Self> {
        let settings = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(limits.timeout))
            .set_response_timeout(Some(limits.timeout))
            .set_number_of_retries(1);
        let client = redis::Client::open(url)?;
        Ok(Self {
            connection: ConnectionManager::new_lazy_with_config(client, settings)?,
            keys,
            limits,
            script: Script::new(GCRA),
            local: MemoryUserStore::default(),
            paused_until: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    /// The script's answer, or `None` when Redis failed, was slow, or is paused.
    async fn ask(&self, user: &str, rate: RateLimit) -> Option<u64> {
        if self.elapsed_millis() < self.paused_until.load(Ordering::Relaxed) {
            return None;
        }
        let interval = (1_000_000 / u64::from(rate.per_second.max(1))).max(1);
        let mut invocation = self.script.key(self.keys.publications(user));
        invocation.arg(interval).arg(rate.burst);
        let mut connection = self.connection.clone();
        let call = invocation.invoke_async(&mut connection);
        let error = match tokio::time::timeout(self.limits.timeout, call).await {
            Ok(Ok(wait)) => return Some(wait),
            Ok(Err(error)) => error.to_string(),
            Err(_) => "no answer in time".to_owned(),
        };
        let until = self.elapsed_millis() + 1_000 * PAUSE_AFTER_FAILURE.as_secs();
        if self.paused_until.swap(until, Ordering::Relaxed) <= self.elapsed_millis() {
            tracing::warn!(%error, fail_open = self.limits.fail_open, "rate-limit store unavailable");
        }
        None
    }

    fn elapsed_millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

#[async_trait::async_trait]
impl UserLimitStore for RedisUserStore {
    async fn open(&self, user: &Arc<str>, max: usize) -> Verdict {
        self.local.open(user, max).await
    }

    fn close(&self, user: &Arc<str>) {
        self.local.close(user);
    }

    async fn take(&self, user: &Arc<str>, rate: RateLimit) -> Verdict {
        if let Some(wait) = self.ask(user, rate).await {
            if wait == 0 {
                return Verdict::Allowed;
            }
            return Verdict::Refused { retry_after: Duration::from_micros(wait) };
        }
        let policy = if self.limits.fail_open { "open" } else { "closed" };
        metrics::counter!("realtime_rate_limit_store_fallback_total", "policy" => policy)
            .increment(1);
        if self.limits.fail_open {
            return self.local.take(user, rate).await;
        }
        Verdict::Refused { retry_after: CLOSED_RETRY_AFTER }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: RateLimit = RateLimit { per_second: 1, burst: 2 };

    fn store(url: &str, fail_open: bool) -> RedisUserStore {
        let nanos = std::time::SystemTime::UNIX_EPOCH.elapsed().expect("clock").as_nanos();
        let keys = Keys { prefix: format!("test-{}-{nanos}", std::process::id()) };
        let limits = SharedLimits { timeout: Duration::from_millis(200), fail_open };
        RedisUserStore::new(url, keys, limits).expect("store")
    }

    /// A port where nothing listens.
    fn unreachable() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("redis://{}", listener.local_addr().expect("address"))
    }

    #[tokio::test]
    async fn the_bucket_in_redis_allows_its_burst_then_asks_to_wait() {
        let store = store("redis://127.0.0.1:6379", false);
        let ann: Arc<str> = "ann".into();
        assert_eq!(store.take(&ann, RATE).await, Verdict::Allowed);
        assert_eq!(store.take(&ann, RATE).await, Verdict::Allowed);
        let Verdict::Refused { retry_after } = store.take(&ann, RATE).await else {
            panic!("the third publication is over the burst");
        };
        assert!(retry_after > Duration::from_millis(800) && retry_after <= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn without_redis_open_counts_on_this_node_and_closed_refuses() {
        let ann: Arc<str> = "ann".into();
        let open = store(&unreachable(), true);
        assert_eq!(open.take(&ann, RATE).await, Verdict::Allowed);
        assert_eq!(open.take(&ann, RATE).await, Verdict::Allowed);
        assert!(matches!(open.take(&ann, RATE).await, Verdict::Refused { .. }), "still limited");
        let closed = store(&unreachable(), false);
        let refused = Verdict::Refused { retry_after: CLOSED_RETRY_AFTER };
        assert_eq!(closed.take(&ann, RATE).await, refused);
    }
}
