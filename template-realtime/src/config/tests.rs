//! Configuration: defaults, validation, and messages that name the variable.

use std::time::Duration;

use super::*;
use jsonwebtoken::Algorithm;

use crate::auth::{JwtKey, PublicKeyAlgorithm};
use crate::http::serve::ServeSettings;
use crate::rate::RateLimit;
use crate::rooms::{HistoryConfig, HubLimits};
use crate::session::HeartbeatConfig;

const SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

fn error_for(vars: &[(&str, &str)]) -> ConfigError {
    Config::from_vars(vars).expect_err("configuration should be rejected")
}

#[test]
fn defaults_need_no_variables_in_development() {
    let config = Config::from_vars(&[]).unwrap();
    assert_eq!(config.bind_address().to_string(), "127.0.0.1:8080");
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert!(config.jwt.is_ephemeral(), "a random secret is generated");
    assert_eq!(config.jwt.algorithm(), Algorithm::HS256);
    assert_eq!(config.jwt.issuer, env!("CARGO_PKG_NAME"));
    assert_eq!(config.broker.options.prefix, env!("CARGO_PKG_NAME"));
    assert_eq!(config.rooms, default_rooms());
    assert_eq!(config.session, default_session());
    assert_eq!(config.http, default_http());
    assert_eq!(config.max_connections, 10_000);
}

fn default_rooms() -> RoomsSettings {
    RoomsSettings {
        hub: HubLimits { presence_event_limit: 100, max_rooms: 10_000 },
        history: HistoryConfig {
            length: 1000,
            max_age: Duration::from_hours(24),
            max_bytes: 32 * 1024 * 1024,
            max_rooms: 10_000,
        },
        presence_ttl: Duration::from_secs(30),
        outbound_queue: 256,
        prefix: env!("CARGO_PKG_NAME").to_owned(),
    }
}

fn default_session() -> SessionSettings {
    SessionSettings {
        max_message_bytes: 4096,
        message_rate: RateLimit { per_second: 20, burst: 40 },
        max_rooms_per_connection: 32,
        heartbeat: HeartbeatConfig {
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(45),
        },
    }
}

fn default_http() -> HttpSettings {
    let serve = ServeSettings {
        header_read_timeout: Duration::from_secs(10),
        shutdown_timeout: Duration::from_secs(10),
    };
    HttpSettings { max_body_bytes: 4096, sse_keep_alive: Duration::from_secs(15), serve }
}

#[test]
fn variables_override_defaults() {
    let config = Config::from_vars(&[
        ("HOST", "0.0.0.0"),
        ("PORT", "9000"),
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", "template-rest"),
        ("JWT_AUDIENCE", "template-rest"),
        ("APP_ENV", "production"),
        ("LOG_FORMAT", "json"),
        ("BROKER_PREFIX", "chat_1"),
        ("MAX_MESSAGE_BYTES", "1024"),
        ("HEARTBEAT_INTERVAL_MS", "100"),
        ("HEARTBEAT_TIMEOUT_MS", "300"),
        ("PRESENCE_TTL_MS", "900"),
    ])
    .unwrap();
    assert_eq!(config.bind_address().to_string(), "0.0.0.0:9000");
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.jwt.is_ephemeral());
    assert_eq!(config.jwt.audience, "template-rest");
    assert_eq!(config.broker.options.prefix, "chat_1");
    assert_eq!(config.session.max_message_bytes, 1024);
    assert_eq!(config.session.heartbeat.timeout, Duration::from_millis(300));
    assert_eq!(config.broker.options.presence_ttl, Duration::from_millis(900));
}

#[test]
fn production_requires_a_strong_secret() {
    assert_eq!(error_for(&[("APP_ENV", "production")]).variable, "JWT_SECRET");
    for weak in
        ["short", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababababababab"]
    {
        assert_eq!(error_for(&[("JWT_SECRET", weak)]).variable, "JWT_SECRET", "{weak}");
    }
}

/// The settings of the security limits, each with a value it refuses.
const SECURITY_CASES: [(&str, &str); 11] = [
    ("MAX_ROOMS", "0"),
    ("HISTORY_MAX_BYTES", "0"),
    ("HISTORY_MAX_ROOMS", "0"),
    ("USER_MAX_CONNECTIONS", "0"),
    ("USER_PUBLISH_RATE_PER_SECOND", "0"),
    ("RATE_LIMIT_STORE", "memcached"),
    ("ROOM_POLICY", "closed"),
    ("SSE_TICKET_TTL_SECS", "0"),
    ("SSE_TICKET_CAPACITY", "0"),
    ("JWT_JWKS_URL", "ftp://issuer/keys"),
    ("JWT_JWKS_URL", "not a url"),
];

#[test]
fn malformed_values_name_their_variable() {
    let cases = [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("HOST", "example.com"),
        ("APP_ENV", "staging"),
        ("LOG_FORMAT", "xml"),
        ("JWT_ALGORITHM", "none"),
        ("JWT_ISSUER", "  "),
        ("BROKER_PREFIX", "has.dot"),
        ("BROKER_PREFIX", ""),
        ("MAX_MESSAGE_BYTES", "0"),
        ("MESSAGE_RATE_PER_SECOND", "0"),
        ("OUTBOUND_QUEUE", "-1"),
        ("HISTORY_LENGTH", "0"),
        ("SHUTDOWN_TIMEOUT_SECS", "0"),
        ("HEARTBEAT_TIMEOUT_MS", "1000"),
    ];
    for (variable, value) in cases.into_iter().chain(SECURITY_CASES) {
        let error = error_for(&[(variable, value)]);
        assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        assert!(error.to_string().starts_with(variable));
    }
}

#[test]
fn new_limits_have_safe_defaults() {
    let config = Config::from_vars(&[]).unwrap();
    assert_eq!(config.users.max_connections, 16);
    assert_eq!(config.users.publish_rate, RateLimit { per_second: 20, burst: 40 });
    assert_eq!(config.policy, PolicyChoice::Open);
    assert_eq!(config.tickets.ttl, Duration::from_secs(30));
    assert_eq!(config.tickets.capacity, 10_000);
}

#[test]
fn a_public_key_or_key_set_replaces_the_secret() {
    let cases = [
        (&[("JWT_ALGORITHM", "EdDSA")][..], "JWT_PUBLIC_KEY"),
        (&[("JWT_PUBLIC_KEY", "pem"), ("JWT_JWKS_URL", "http://rest/jwks")][..], "JWT_PUBLIC_KEY"),
        (&[("JWT_ALGORITHM", "HS256"), ("JWT_JWKS_URL", "http://rest/jwks")][..], "JWT_ALGORITHM"),
        (&[("JWT_SECRET", SECRET), ("JWT_JWKS_URL", "http://rest/jwks")][..], "JWT_SECRET"),
        (
            &[("JWT_JWKS_URL", "http://rest/jwks"), ("JWT_JWKS_REFRESH_SECS", "0")][..],
            "JWT_JWKS_REFRESH_SECS",
        ),
    ];
    for (vars, variable) in cases {
        assert_eq!(error_for(vars).variable, variable, "{vars:?}");
    }
    let inline =
        Config::from_vars(&[("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\\nx")]).unwrap();
    assert_eq!(inline.jwt.algorithm(), Algorithm::EdDSA, "a public key means EdDSA by default");
    let JwtKey::PublicPem { pem, .. } = inline.jwt.key else { panic!("not a PEM key") };
    assert_eq!(pem, b"-----BEGIN PUBLIC KEY-----\nx", "escaped newlines are restored");
    let https = error_for(&[("JWT_JWKS_URL", "https://rest.example/.well-known/jwks.json")]);
    assert!(https.message.contains("JWT_PUBLIC_KEY"), "{https}");
    let jwks = Config::from_vars(&[("JWT_JWKS_URL", "http://rest:8080/.well-known/jwks.json")]);
    let JwtKey::Jwks { set: jwks, .. } = jwks.unwrap().jwt.key else { panic!("not a key set") };
    assert_eq!((jwks.min_refresh, jwks.max_age), (Duration::from_secs(30), Duration::from_mins(5)));
    assert_eq!(jwks.url.path(), "/.well-known/jwks.json");
}

#[test]
fn public_keys_come_from_readable_files() {
    assert_eq!(error_for(&[("JWT_ALGORITHM", "EdDSA")]).variable, "JWT_PUBLIC_KEY");
    let missing = [("JWT_ALGORITHM", "RS256"), ("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pub")];
    let error = error_for(&missing);
    assert_eq!(error.variable, "JWT_PUBLIC_KEY_FILE");
    assert!(error.message.contains("/nonexistent/key.pub"));
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let config =
        Config::from_vars(&[("JWT_ALGORITHM", "EdDSA"), ("JWT_PUBLIC_KEY_FILE", manifest)]);
    let key = config.unwrap().jwt.key;
    assert!(matches!(key, JwtKey::PublicPem { algorithm: PublicKeyAlgorithm::EdDsa, .. }));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let config = Config::from_vars(&[("JWT_SECRET", SECRET)]).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("redacted"));
}

#[test]
fn a_shared_store_needs_the_redis_broker_and_fails_open_by_default() {
    use crate::users::{SharedLimits, UserStore};
    let shared = Config::from_vars(&[("RATE_LIMIT_STORE", "redis")]);
    if !crate::broker::SHARED_USER_LIMITS {
        assert_eq!(shared.expect_err("memory or nats broker").variable, "RATE_LIMIT_STORE");
        return;
    }
    let fail_open = SharedLimits { timeout: Duration::from_millis(50), fail_open: true };
    assert_eq!(shared.unwrap().users.store, UserStore::Redis(fail_open));
    let closed = [("RATE_LIMIT_STORE", "redis"), ("RATE_LIMIT_REDIS_FAILURE", "closed")];
    let closed = Config::from_vars(&closed).unwrap().users.store;
    assert_eq!(closed, UserStore::Redis(SharedLimits { fail_open: false, ..fail_open }));
    for (variable, value) in
        [("RATE_LIMIT_REDIS_FAILURE", "maybe"), ("RATE_LIMIT_REDIS_TIMEOUT_MS", "0")]
    {
        let error = error_for(&[("RATE_LIMIT_STORE", "redis"), (variable, value)]);
        assert_eq!(error.variable, variable, "{variable}={value}");
    }
}
