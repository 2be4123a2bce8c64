//! The scripts against the real Redis on 127.0.0.1:6379, each test under a prefix of its own;
//! and the decisions made without Redis, against a port where nothing answers.

use std::time::{Duration, Instant};

use redis::AsyncCommands as _;

use super::*;

const REDIS: &str = "redis://127.0.0.1:6379";

fn config(url: &str, failure: StoreFailure) -> RedisSettings {
    RedisSettings {
        url: url.to_owned(),
        prefix: format!("test:{}:", uuid::Uuid::now_v7()),
        timeout: Duration::from_millis(200),
        failure,
    }
}

fn factory(config: &RedisSettings) -> LimitFactory {
    LimitFactory::new(&LimitStore::Redis(config.clone())).unwrap()
}

async fn redis() -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(REDIS).unwrap();
    client.get_multiplexed_async_connection().await.unwrap()
}

/// Every key under `prefix`, with its time to live in milliseconds.
async fn keys_under(prefix: &str) -> Vec<(String, i64)> {
    let mut connection = redis().await;
    let keys: Vec<String> = connection.keys(format!("{prefix}*")).await.unwrap();
    let mut with_ttl = Vec::new();
    for key in keys {
        let ttl: i64 = connection.pttl(&key).await.unwrap();
        with_ttl.push((key, ttl));
    }
    with_ttl
}

#[tokio::test]
async fn the_bucket_in_redis_allows_its_burst_then_asks_to_wait_one_interval() {
    let config = config(REDIS, StoreFailure::Closed);
    let limiter = factory(&config).rate_limiter("client", RateLimit { per_second: 1.0, burst: 3 });
    for _ in 0..3 {
        assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    }
    let wait = limiter.check("ip:192.0.2.1").await.unwrap_err();
    assert!(wait > Duration::from_millis(800) && wait <= Duration::from_secs(1), "{wait:?}");
    assert_eq!(limiter.check("ip:192.0.2.2").await, Ok(()), "keys are independent");
}

#[tokio::test]
async fn keys_are_prefixed_hashed_and_expire_when_the_bucket_is_full_again() {
    let config = config(REDIS, StoreFailure::Closed);
    let limiter = factory(&config).rate_limiter("client", RateLimit { per_second: 2.0, burst: 4 });
    for _ in 0..3 {
        limiter.check("ip:192.0.2.1").await.unwrap();
    }
    let keys = keys_under(&config.prefix).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let (key, ttl) = &keys[0];
    let digest = key.strip_prefix(&format!("{}client:", config.prefix)).unwrap();
    assert!(digest.len() == 32 && digest.bytes().all(|byte| byte.is_ascii_hexdigit()), "{key}");
    assert!((1_000..=1_500).contains(ttl), "three tokens at 2/s refill in 1.5 s: {ttl}");
}

#[tokio::test]
async fn a_script_flushed_from_redis_is_loaded_again() {
    let config = config(REDIS, StoreFailure::Closed);
    let limiter = factory(&config).rate_limiter("client", RateLimit { per_second: 1.0, burst: 1 });
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query_async(&mut redis().await).await.unwrap();
    assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    assert!(limiter.check("ip:192.0.2.1").await.is_err(), "Redis counted the first one");
}

fn policy() -> ThrottlePolicy {
    ThrottlePolicy { failures_before_delay: 2, max_delay: Duration::from_secs(4), max_entries: 10 }
}

#[tokio::test]
async fn the_throttle_in_redis_doubles_its_delays_up_to_the_cap_and_expires() {
    let config = config(REDIS, StoreFailure::Closed);
    let throttle = factory(&config).login_throttle("login-pair", policy());
    let now = Instant::now();
    let mut waits = Vec::new();
    for expected in 1..=6 {
        assert_eq!(throttle.record_failure("a@example.com", now).await, expected);
        let wait = throttle.check("a@example.com", now).await.err();
        waits.push(wait.map(|wait| (wait.as_millis() + 50) / 1_000));
    }
    assert_eq!(waits, [None, None, Some(1), Some(2), Some(4), Some(4)]);
    let keys = keys_under(&config.prefix).await;
    assert!(keys.len() == 1 && (7_000..=8_000).contains(&keys[0].1), "{keys:?}");
    throttle.record_success("a@example.com").await;
    assert_eq!(throttle.check("a@example.com", now).await, Ok(()));
    assert!(keys_under(&config.prefix).await.is_empty(), "a success deletes the key");
}

/// A port where nothing listens.
fn unreachable() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("redis://{}", listener.local_addr().unwrap())
}

#[tokio::test]
async fn without_redis_open_decides_with_the_local_limits() {
    let config = config(&unreachable(), StoreFailure::Open);
    let factory = factory(&config);
    let limiter = factory.rate_limiter("client", RateLimit { per_second: 1.0, burst: 2 });
    assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    assert!(limiter.check("ip:192.0.2.1").await.is_err(), "the local bucket still limits");
    let throttle = factory.login_throttle("login-pair", policy());
    let now = Instant::now();
    for _ in 0..3 {
        throttle.record_failure("a@example.com", now).await;
    }
    assert!(throttle.check("a@example.com", now).await.is_err(), "the local throttle holds");
}

#[tokio::test]
async fn without_redis_closed_refuses() {
    let config = config(&unreachable(), StoreFailure::Closed);
    let factory = factory(&config);
    let limiter = factory.rate_limiter("client", RateLimit { per_second: 100.0, burst: 100 });
    assert_eq!(limiter.check("ip:192.0.2.1").await, Err(CLOSED_RETRY_AFTER));
    let throttle = factory.login_throttle("login-pair", policy());
    assert_eq!(throttle.check("a@example.com", Instant::now()).await, Err(CLOSED_RETRY_AFTER));
}

#[tokio::test]
async fn a_redis_that_never_answers_costs_one_timeout_then_nothing_while_paused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = config(&url, StoreFailure::Open);
    let limiter = factory(&config).rate_limiter("client", RateLimit { per_second: 1.0, burst: 5 });
    let started = Instant::now();
    assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    let first = started.elapsed();
    assert!(first < config.timeout + Duration::from_millis(150), "{first:?}");
    let started = Instant::now();
    assert_eq!(limiter.check("ip:192.0.2.1").await, Ok(()));
    assert!(started.elapsed() < Duration::from_millis(20), "Redis is paused after a failure");
    silent.abort();
}
