//! Configuration: defaults, validation, and messages that name the variable.

use std::time::Duration;

use super::*;

const SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

fn error_for(vars: &[(&str, &str)]) -> ConfigError {
    Config::from_vars(vars).expect_err("configuration should be rejected")
}

#[test]
fn defaults_need_no_variables_in_development() {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    assert_eq!(config.bind_address().to_string(), "127.0.0.1:8080");
    assert_eq!(config.environment, Environment::Development);
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert_eq!(config.jwt.access_ttl, Duration::from_mins(15));
    assert!(config.jwt.ephemeral_secret, "a random secret is generated");
    assert!(config.admin.is_none());
}

#[test]
fn http_limits_have_safe_defaults() {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    assert!(config.database.acquire_timeout <= Duration::from_secs(3));
    assert_eq!(config.http.body_limit_bytes, 1024 * 1024);
    assert_eq!(config.http.upload_limit_bytes, 5 * 1024 * 1024);
    assert_eq!(config.http.shutdown_timeout, Duration::from_secs(25));
    assert_eq!(config.http.trusted_proxy_hops, 0);
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
    assert_eq!(config.jwt.access_ttl, Duration::from_mins(1));
    assert_eq!(config.environment, Environment::Production);
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.jwt.ephemeral_secret);
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
        ("JWT_ALGORITHM", "none"),
        ("JWT_ALGORITHM", "RS256"),
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

#[test]
fn key_pairs_need_readable_files() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    let error = error_for(&[url, ("JWT_ALGORITHM", "EdDSA")]);
    assert_eq!(error.variable, "JWT_PRIVATE_KEY_FILE");
    let error = error_for(&[
        url,
        ("JWT_ALGORITHM", "EdDSA"),
        ("JWT_PRIVATE_KEY_FILE", "/nonexistent/key.pem"),
        ("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pub"),
    ]);
    assert_eq!(error.variable, "JWT_PRIVATE_KEY_FILE");
    assert!(error.message.contains("/nonexistent/key.pem"));
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
    assert!((config.http.login.rate.per_second - 0.5).abs() < f64::EPSILON);
    assert_eq!(config.http.trusted_proxy_hops, 2);
}
