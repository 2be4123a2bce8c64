//! `RATE_LIMIT_STORE` and the Redis settings that go with it.

#[cfg(feature = "redis")]
use std::time::Duration;

use super::*;
use crate::ratelimit::LimitStore;
#[cfg(feature = "redis")]
use crate::ratelimit::StoreFailure;

const DATABASE: (&str, &str) = ("DATABASE_URL", "sqlite::memory:");
const REDIS: (&str, &str) = ("RATE_LIMIT_STORE", "redis");

#[test]
fn limits_are_counted_in_memory_by_default() {
    let config = Config::from_vars(&[DATABASE]).unwrap();
    assert_eq!(config.limits.store, LimitStore::Memory);
    let ignored = Config::from_vars(&[DATABASE, ("REDIS_URL", "not a url")]).unwrap();
    assert_eq!(ignored.limits.store, LimitStore::Memory, "REDIS_URL alone changes nothing");
}

/// Without the `redis` cargo feature the Redis store is not compiled in: asking for it stops
/// startup with a message that names the variable and the feature, never memory silently.
#[cfg(not(feature = "redis"))]
#[test]
fn redis_store_needs_the_redis_feature() {
    let url = ("REDIS_URL", "redis://127.0.0.1:6379");
    for vars in [&[DATABASE, REDIS][..], &[DATABASE, REDIS, url][..]] {
        let error = error_for(vars);
        assert_eq!(error.variable, "RATE_LIMIT_STORE", "{error}");
        assert_eq!(
            error.to_string(),
            "RATE_LIMIT_STORE: `redis` needs a build with the `redis` cargo feature \
             (cargo build --features redis)"
        );
    }
}

#[cfg(feature = "redis")]
#[test]
fn redis_has_short_timeouts_fails_open_and_is_configurable() {
    let url = ("REDIS_URL", "redis://:hunter2-password@redis.internal:6379/2");
    let config = Config::from_vars(&[DATABASE, REDIS, url]).unwrap();
    let LimitStore::Redis(redis) = &config.limits.store else { panic!("memory") };
    assert_eq!(redis.timeout, Duration::from_millis(50));
    assert_eq!(redis.failure, StoreFailure::Open);
    assert_eq!(redis.prefix, "rate-limit:");
    assert!(!format!("{config:?}").contains("hunter2"), "the URL's password stays out of logs");
    let config = Config::from_vars(&[
        DATABASE,
        REDIS,
        url,
        ("RATE_LIMIT_REDIS_PREFIX", "shop:limits:"),
        ("RATE_LIMIT_REDIS_TIMEOUT_MS", "20"),
        ("RATE_LIMIT_REDIS_FAILURE", "closed"),
    ])
    .unwrap();
    let LimitStore::Redis(redis) = &config.limits.store else { panic!("memory") };
    assert_eq!(redis.prefix, "shop:limits:");
    assert_eq!(redis.timeout, Duration::from_millis(20));
    assert_eq!(redis.failure, StoreFailure::Closed);
}

#[cfg(feature = "redis")]
#[test]
fn bad_store_settings_name_their_variable() {
    let url = ("REDIS_URL", "redis://127.0.0.1:6379");
    assert_eq!(error_for(&[DATABASE, REDIS]).variable, "REDIS_URL", "required with redis");
    for (variable, value) in [
        ("RATE_LIMIT_STORE", "memcached"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "rediss://127.0.0.1:6380"),
        ("RATE_LIMIT_REDIS_TIMEOUT_MS", "0"),
        ("RATE_LIMIT_REDIS_FAILURE", "maybe"),
    ] {
        let error = error_for(&[DATABASE, REDIS, url, (variable, value)]);
        assert_eq!(error.variable, variable, "{variable}={value}: {error}");
    }
}
