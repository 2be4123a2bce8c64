//! Configuration: defaults, validation, and messages that name the variable.

use std::time::Duration;

use super::*;
use crate::auth::TokenSigning;

mod limit_store;
mod secrets;

const SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

pub(super) fn error_for(vars: &[(&str, &str)]) -> ConfigError {
    Config::from_vars(vars).expect_err("configuration should be rejected")
}

#[test]
fn defaults_need_no_variables_in_development() {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    assert_eq!(config.bind_address().to_string(), "127.0.0.1:8080");
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert_eq!(config.tokens.access_ttl, Duration::from_mins(15));
    assert!(config.tokens.has_generated_secret(), "a random secret is generated");
    assert!(config.tokens.extra_audiences.is_empty());
    assert_eq!(config.refresh_token_purge.interval, Duration::from_hours(1));
    assert_eq!(config.refresh_token_purge.retention, Duration::from_hours(7 * 24));
    assert_eq!(config.http.serve.write_timeout, Duration::from_secs(30));
    assert!(config.admin.is_none());
}

#[test]
fn http_limits_have_safe_defaults() {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    assert!(config.database.acquire_timeout <= Duration::from_secs(3));
    assert_eq!(config.http.body_limit_bytes, 1024 * 1024);
    assert_eq!(config.uploads.max_bytes, 5 * 1024 * 1024);
    assert_eq!(config.http.serve.shutdown_timeout, Duration::from_secs(25));
    assert!(config.limits.client_ip.trusted_proxies.is_empty());
    assert!(config.http.cors_allowed_origins.is_empty());
    assert!(config.http.hsts_max_age.is_none());
}

#[test]
fn variables_override_defaults() {
    let config = Config::from_vars(&[
        ("HOST", "0.0.0.0"),
        ("PORT", "9000"),
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_SECRET", SECRET),
        ("ACCESS_TOKEN_TTL_SECS", "60"),
        ("APP_ENV", "production"),
        ("LOG_FORMAT", "json"),
        ("ADMIN_EMAIL", "root@example.com"),
        ("ADMIN_PASSWORD", "a long admin password"),
    ])
    .unwrap();
    assert_eq!(config.bind_address().to_string(), "0.0.0.0:9000");
    assert_eq!(config.tokens.access_ttl, Duration::from_mins(1));
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.tokens.has_generated_secret());
    assert_eq!(config.admin.unwrap().email, "root@example.com");
}

#[test]
fn production_requires_a_secret() {
    let error = error_for(&[("APP_ENV", "production"), ("DATABASE_URL", "sqlite::memory:")]);
    assert_eq!(error.variable, "JWT_SECRET");
}

#[test]
fn weak_secrets_stop_startup() {
    for weak in [
        "short",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abababababababababababababababababab",
    ] {
        let error = error_for(&[("JWT_SECRET", weak), ("DATABASE_URL", "sqlite::memory:")]);
        assert_eq!(error.variable, "JWT_SECRET", "{weak}");
    }
}

#[test]
fn malformed_values_name_their_variable() {
    let cases = [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("HOST", "example.com"),
        ("APP_ENV", "staging"),
        ("LOG_FORMAT", "xml"),
        ("JWT_PRIVATE_KEY", "not a key"),
        ("JWT_PRIVATE_KEY", PUBLIC_PEM),
        ("JWT_PRIVATE_KEY_FILE", "/nonexistent/key.pem"),
        ("JWT_ACCEPTED_PUBLIC_KEYS", PUBLIC_PEM),
        ("REFRESH_TOKEN_PURGE_INTERVAL_SECS", "0"),
        ("REFRESH_TOKEN_RETENTION_SECS", "0"),
        ("WRITE_TIMEOUT_SECS", "0"),
        ("ACCESS_TOKEN_TTL_SECS", "0"),
        ("DATABASE_ACQUIRE_TIMEOUT_MS", "0"),
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("CONCURRENCY_LIMIT", "0"),
        ("RATE_LIMIT_PER_SECOND", "0"),
        ("LOGIN_RATE_LIMIT_BURST", "0"),
        ("SHUTDOWN_TIMEOUT_SECS", "0"),
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_ORIGINS", "https://ok.example, ftp://bad.example"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example/path"),
        ("JWT_ISSUER", "  "),
    ];
    for (variable, value) in cases {
        let error = error_for(&[(variable, value), ("DATABASE_URL", "sqlite::memory:")]);
        assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        assert!(error.to_string().starts_with(variable));
    }
}

#[test]
fn the_admin_needs_both_variables_and_a_strong_password() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    assert_eq!(error_for(&[url, ("ADMIN_EMAIL", "a@b.co")]).variable, "ADMIN_PASSWORD");
    assert_eq!(error_for(&[url, ("ADMIN_PASSWORD", "long enough pw")]).variable, "ADMIN_EMAIL");
    let short = error_for(&[url, ("ADMIN_EMAIL", "a@b.co"), ("ADMIN_PASSWORD", "short")]);
    assert_eq!(short.variable, "ADMIN_PASSWORD");
    let bad_email =
        error_for(&[url, ("ADMIN_EMAIL", "nobody"), ("ADMIN_PASSWORD", "long enough pw")]);
    assert_eq!(bad_email.variable, "ADMIN_EMAIL");
}

/// RFC 8037, appendix A: an Ed25519 key pair, as PEM.
const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----";
const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----";

#[test]
fn a_private_key_selects_eddsa_and_excludes_a_secret() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    let config = Config::from_vars(&[url, ("JWT_PRIVATE_KEY", PRIVATE_PEM)]).unwrap();
    assert_eq!(config.tokens.signing.public_keys().len(), 1);
    assert!(!config.tokens.has_generated_secret());
    let both = error_for(&[url, ("JWT_PRIVATE_KEY", PRIVATE_PEM), ("JWT_SECRET", SECRET)]);
    assert_eq!(both.variable, "JWT_SECRET");
    let one_line = PRIVATE_PEM.replace('\n', "\\n");
    let config = Config::from_vars(&[url, ("JWT_PRIVATE_KEY", &one_line)]).unwrap();
    assert!(matches!(config.tokens.signing, TokenSigning::Ed25519 { .. }));
    assert!(!format!("{config:?}").contains("MC4CAQ"), "the private key stays out of logs");
    let error = error_for(&[url, ("JWT_PRIVATE_KEY", "garbage")]);
    assert!(error.message.contains("Ed25519 private key"), "{error}");
}

#[test]
fn the_key_can_come_from_a_file_and_accepted_keys_are_deduplicated() {
    let path = std::env::temp_dir().join(format!("jwt-{}.pem", uuid::Uuid::now_v7()));
    std::fs::write(&path, PRIVATE_PEM).unwrap();
    let accepted = format!("{PUBLIC_PEM}\n{PUBLIC_PEM}");
    let config = Config::from_vars(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_PRIVATE_KEY_FILE", path.to_str().unwrap()),
        ("JWT_ACCEPTED_PUBLIC_KEYS", &accepted),
    ])
    .unwrap();
    assert_eq!(config.tokens.signing.public_keys().len(), 1, "its own key, once");
    let both = error_for(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_PRIVATE_KEY", PRIVATE_PEM),
        ("JWT_PRIVATE_KEY_FILE", path.to_str().unwrap()),
    ]);
    assert_eq!(both.variable, "JWT_PRIVATE_KEY_FILE");
    let garbage = error_for(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_PRIVATE_KEY", PRIVATE_PEM),
        ("JWT_ACCEPTED_PUBLIC_KEYS", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
    ]);
    assert_eq!(garbage.variable, "JWT_ACCEPTED_PUBLIC_KEYS");
    std::fs::remove_file(path).unwrap();
}

#[test]
fn extra_audiences_are_listed_once() {
    let config = Config::from_vars(&[
        ("DATABASE_URL", "sqlite::memory:"),
        // Not the default audience (the package name), which a generated project may share.
        ("JWT_AUDIENCE", "api"),
        ("JWT_EXTRA_AUDIENCES", " realtime, ,orders,realtime "),
    ])
    .unwrap();
    assert_eq!(config.tokens.extra_audiences, ["realtime", "orders"]);
    let own = error_for(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_AUDIENCE", "api"),
        ("JWT_EXTRA_AUDIENCES", "realtime, api"),
    ]);
    assert_eq!(own.variable, "JWT_EXTRA_AUDIENCES");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let config = Config::from_vars(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("JWT_SECRET", SECRET),
        ("ADMIN_EMAIL", "root@example.com"),
        ("ADMIN_PASSWORD", "a long admin password"),
    ])
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET) && !debug.contains("a long admin password"), "{debug}");
}

#[test]
fn http_limits_are_configurable() {
    let config = Config::from_vars(&[
        ("DATABASE_URL", "sqlite::memory:"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com/, http://localhost:3000"),
        ("HSTS_MAX_AGE_SECS", "31536000"),
        ("LOGIN_RATE_LIMIT_PER_MINUTE", "30"),
        ("TRUSTED_PROXY_HOPS", "2"),
    ])
    .unwrap();
    assert_eq!(
        config.http.cors_allowed_origins,
        ["https://app.example.com", "http://localhost:3000"]
    );
    assert_eq!(config.http.hsts_max_age, Some(Duration::from_hours(24 * 365)));
    assert!((config.limits.login.rate.per_second - 0.5).abs() < f64::EPSILON);
    assert_eq!(config.limits.client_ip.trusted_proxy_hops, 2);
}

#[test]
fn new_limits_have_safe_defaults_and_are_configurable() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    let config = Config::from_vars(&[url]).unwrap();
    assert!(config.http.metrics.port.is_none(), "metrics stay on the public port by default");
    assert!(config.limits.client_ip.trusted_proxies.is_empty());
    let registration = config.registration.rate;
    assert!(registration.per_second < config.limits.login.rate.per_second, "stricter than login");
    let config = Config::from_vars(&[
        url,
        ("METRICS_PORT", "9464"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32, 192.0.2.1"),
        ("PASSWORD_HASH_QUEUE", "7"),
    ])
    .unwrap();
    assert_eq!(config.http.metrics.port, Some(9464));
    assert_eq!(config.limits.client_ip.trusted_proxies.len(), 3);
    assert_eq!(config.hashing.queue, 7);
    for (variable, value) in [
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("TRUSTED_PROXIES", "not-an-address"),
        ("METRICS_PORT", "0"),
        ("REGISTER_RATE_LIMIT_BURST", "0"),
        ("LOGIN_ACCOUNT_FAILING_ADDRESSES", "0"),
        ("LOGIN_THROTTLE_MAX_ENTRIES", "0"),
    ] {
        assert_eq!(error_for(&[url, (variable, value)]).variable, variable, "{variable}={value}");
    }
    let both = error_for(&[url, ("TRUSTED_PROXIES", "10.0.0.0/8"), ("TRUSTED_PROXY_HOPS", "1")]);
    assert_eq!(both.variable, "TRUSTED_PROXY_HOPS");
}
