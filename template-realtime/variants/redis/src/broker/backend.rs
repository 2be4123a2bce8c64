//! The Redis broker: pub/sub carries messages and presence events to every node, a Lua script
//! gives each message its id and stores it in a per-room stream, and sorted sets hold
//! presence with an expiry per entry.
//!
//! Keys, all under `BROKER_PREFIX`: `<prefix>:seq:<room>` (the room's latest id),
//! `<prefix>:history:<room>` (a stream of the last `HISTORY_LENGTH` messages, entry ids
//! `0-<id>`), `<prefix>:presence:<room>` (a sorted set of `<node>|<user>` scored by expiry),
//! and `<prefix>:floor` (the highest id ever given). Channels: `<prefix>:messages` and
//! `<prefix>:presence`.
//!
//! Every per-room key expires: the counter and the history twice `HISTORY_MAX_AGE_SECS` after
//! the room's last message, presence after `PRESENCE_TTL_MS`. So posting to ever new rooms
//! costs Redis nothing for long. Ids still never go back: a room whose counter expired starts
//! again from the floor, above every id it ever had, and a client that rejoins it with an old
//! `since` is told that the messages after it are gone (`history_truncated`).
//! Pub/sub loses what is published while a node is disconnected; the node then reads it back
//! from the streams (see [`subscriber`]).

mod keys;
mod subscriber;
mod users;

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::rooms::{Broker, BrokerError, BrokerOptions, Draft, History, Hub, PresenceEvent};
use crate::rooms::{RoomName, StoredMessage};
use crate::settings::ConfigError;
use keys::Keys;
pub(crate) use users::{SHARED_USER_LIMITS, user_store};

/// Gives the message the room's next id (a room without a counter starts at the floor),
/// stores it, keeps the room's keys for the retention, and publishes it, atomically.
const PUBLISH: &str = r#"
local floor = tonumber(redis.call('GET', KEYS[3]) or '0')
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], floor)
end
local id = redis.call('INCR', KEYS[1])
if id > floor then
  redis.call('SET', KEYS[3], id)
end
local message = '{"id":' .. id .. ',"prev":' .. (id - 1) .. ',' .. ARGV[1]
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '0-' .. id, 'm', message)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], message)
return id
"#;

/// The longest a command may take before it fails (the client's default, 500 ms, fails
/// publications on a busy host, where the node's own tasks may wait that long for a core).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The broker's own variables.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawBrokerConfig {
    redis_url: Option<String>,
}

/// How to reach Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Settings shared by every broker.
    pub(crate) options: BrokerOptions,
    /// `REDIS_URL`, default `redis://127.0.0.1:6379`.
    pub(crate) url: String,
}

impl BrokerConfig {
    pub(crate) fn from_raw(
        raw: RawBrokerConfig,
        options: BrokerOptions,
    ) -> Result<Self, ConfigError> {
        let url = raw.redis_url.unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
        redis::Client::open(url.as_str())
            .map_err(|error| ConfigError::new("REDIS_URL", error.to_string()))?;
        Ok(Self { options, url })
    }
}

/// Connects to Redis, subscribes, and delivers to `hub`.
///
/// # Errors
/// When Redis cannot be reached.
pub async fn connect(config: &BrokerConfig, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
    let client = redis::Client::open(config.url.as_str()).map_err(unavailable)?;
    let manager = ConnectionManagerConfig::new().set_response_timeout(Some(RESPONSE_TIMEOUT));
    let connection =
        client.get_connection_manager_with_config(manager).await.map_err(unavailable)?;
    let broker = Arc::new(RedisBroker {
        keys: Keys { prefix: config.options.prefix.clone() },
        config: config.clone(),
        node: node_id()?,
        connection,
        subscriber: std::sync::OnceLock::new(),
    });
    let task = subscriber::start(client, &broker, hub).await?;
    broker.subscriber.get_or_init(|| task);
    Ok(broker)
}

/// One node's connection to Redis.
pub(crate) struct RedisBroker {
    config: BrokerConfig,
    keys: Keys,
    node: String,
    connection: ConnectionManager,
    subscriber: std::sync::OnceLock<tokio::task::JoinHandle<()>>,
}

/// A draft as the publish script receives it; the script adds `id` and `prev` in front.
#[derive(Serialize)]
struct DraftFields<'a> {
    room: &'a RoomName,
    from: &'a str,
    body: &'a RawValue,
    ts: &'a str,
}

#[async_trait::async_trait]
impl Broker for RedisBroker {
    async fn publish(&self, draft: Draft) -> Result<StoredMessage, BrokerError> {
        let fields =
            DraftFields { room: &draft.room, from: &draft.from, body: &draft.body, ts: &draft.ts };
        let json = serde_json::to_string(&fields)
            .map_err(|error| BrokerError::Corrupt(error.to_string()))?;
        let retention = self.config.options.history.max_age.saturating_mul(2);
        let id: u64 = redis::Script::new(PUBLISH)
            .key(self.keys.seq(&draft.room))
            .key(self.keys.history(&draft.room))
            .key(self.keys.floor())
            .arg(&json[1..])
            .arg(self.config.options.history.length)
            .arg(millis(retention))
            .arg(self.keys.channel("messages"))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)?;
        Ok(draft.stored(id, id - 1))
    }

    async fn history(&self, room: &RoomName, since: Option<u64>) -> Result<History, BrokerError> {
        let mut connection = self.connection.clone();
        let (latest, floor): (Option<u64>, Option<u64>) = redis::cmd("MGET")
            .arg(self.keys.seq(room))
            .arg(self.keys.floor())
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        // A room without a counter (new, or expired) reads the floor: what it had is gone.
        let latest = latest.or(floor);
        let Some(since) = since else {
            return Ok(History { messages: Vec::new(), latest: latest.unwrap_or(0) });
        };
        let entries: Vec<(String, Vec<String>)> = redis::cmd("XRANGE")
            .arg(self.keys.history(room))
            .arg(format!("(0-{since}"))
            .arg("+")
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        let messages =
            entries.iter().filter_map(|(_, fields)| fields.get(1)).map(|json| decode(json));
        Ok(History { messages: messages.collect::<Result<_, _>>()?, latest: latest.unwrap_or(0) })
    }

    async fn announce(&self, event: PresenceEvent) -> Result<(), BrokerError> {
        let json = serde_json::to_string(&event)
            .map_err(|error| BrokerError::Corrupt(error.to_string()))?;
        redis::cmd("PUBLISH")
            .arg(self.keys.channel("presence"))
            .arg(json)
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }

    async fn mark_present(&self, entries: &[(RoomName, Arc<str>)]) -> Result<(), BrokerError> {
        let ttl = self.config.options.presence_ttl;
        let expiry = now_millis() + millis(ttl);
        let mut pipeline = redis::pipe();
        for (room, user) in entries {
            let key = self.keys.presence(room);
            pipeline.cmd("ZADD").arg(&key).arg(expiry).arg(self.entry(user)).ignore();
            pipeline.cmd("PEXPIRE").arg(&key).arg(millis(ttl)).ignore();
        }
        pipeline.query_async::<()>(&mut self.connection.clone()).await.map_err(unavailable)
    }

    async fn clear_present(&self, room: &RoomName, user: &str) -> Result<(), BrokerError> {
        redis::cmd("ZREM")
            .arg(self.keys.presence(room))
            .arg(self.entry(user))
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }

    async fn present_users(&self, room: &RoomName) -> Result<Vec<String>, BrokerError> {
        let entries: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.keys.presence(room))
            .arg(format!("({}", now_millis()))
            .arg("+inf")
            .query_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)?;
        let mut users: Vec<String> = entries
            .iter()
            .filter_map(|entry| entry.split_once('|'))
            .map(|(_, user)| user.to_owned())
            .collect();
        users.sort_unstable();
        users.dedup();
        Ok(users)
    }

    async fn ping(&self) -> Result<(), BrokerError> {
        redis::cmd("PING")
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }

    async fn peer(&self, hub: Arc<Hub>) -> Result<Arc<dyn Broker>, BrokerError> {
        connect(&self.config, hub).await
    }

    async fn close(&self) {
        if let Some(task) = self.subscriber.get() {
            task.abort();
        }
    }

    async fn purge(&self) -> Result<(), BrokerError> {
        let mut connection = self.connection.clone();
        let pattern = format!("{}:*", self.keys.prefix);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(pattern)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        if keys.is_empty() {
            return Ok(());
        }
        redis::cmd("DEL").arg(keys).query_async::<()>(&mut connection).await.map_err(unavailable)
    }
}

impl RedisBroker {
    /// This node's presence entry for `user`.
    fn entry(&self, user: &str) -> String {
        format!("{}|{user}", self.node)
    }
}

impl Drop for RedisBroker {
    fn drop(&mut self) {
        if let Some(task) = self.subscriber.get() {
            task.abort();
        }
    }
}

/// Reads a message as stored by the publish script.
fn decode(json: &str) -> Result<StoredMessage, BrokerError> {
    serde_json::from_str(json).map_err(|error| BrokerError::Corrupt(error.to_string()))
}

#[expect(clippy::needless_pass_by_value, reason = "a `map_err` adapter")]
fn unavailable(error: redis::RedisError) -> BrokerError {
    BrokerError::Unavailable(error.to_string())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn now_millis() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    millis(since_epoch.unwrap_or_default())
}

/// A random id for this node's presence entries.
fn node_id() -> Result<String, BrokerError> {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).map_err(|error| BrokerError::Unavailable(error.to_string()))?;
    Ok(format!("{:016x}", u64::from_le_bytes(bytes)))
}
