//! The configuration: defaults, and a message naming the variable for each invalid value.

use std::time::Duration;

use super::{Config, ConfigError, LogFormat};
use crate::services::rate_limit::RateLimit;
use crate::services::tokens::JwtKey;

const SECRET: &str = "a-test-secret-with-enough-bytes-0123456789";

fn with(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars = vec![("JWT_SECRET", SECRET)];
    vars.extend_from_slice(extra);
    Config::from_vars(&vars)
}

#[test]
fn defaults_need_only_the_secret() {
    let config = with(&[]).expect("valid");
    assert_eq!(config.bind_address().to_string(), "127.0.0.1:8080");
    assert_eq!(config.messaging.nats.url, "nats://127.0.0.1:4222");
    assert_eq!(config.inventory.url, "http://127.0.0.1:8081");
    assert_eq!(config.messaging.consumer.max_deliver, 5);
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert_eq!(config.server.metrics_cache, Duration::from_secs(5));
    assert_eq!(config.releases.pending_ttl, Duration::from_mins(15));
    assert_eq!(config.server.order_rate_limit, RateLimit { per_minute: 30, burst: 5 });
}

#[test]
fn unset_variables_leave_the_modules_defaults_which_are_the_documented_ones() {
    use crate::outbox::{ConsumerSettings, RelaySettings};
    use crate::resilient_client::ClientSettings;

    let config = with(&[]).expect("valid");
    let (relay, consumer) = (&config.messaging.relay, &config.messaging.consumer);
    assert_eq!(*relay, RelaySettings::default());
    assert_eq!(*consumer, ConsumerSettings::default());
    assert_eq!(config.inventory.client, ClientSettings::default());
    assert_eq!((relay.batch_size, relay.poll_interval), (500, Duration::from_millis(200)));
    assert_eq!(relay.retention, Duration::from_hours(1));
    assert_eq!((consumer.batch_size, consumer.concurrency), (256, 4));
    assert_eq!(consumer.backoff_max, Duration::from_secs(30));
    assert_eq!(config.messaging.nats.max_ack_pending, 1_024);
    let client = &config.inventory.client;
    assert_eq!(
        (client.timeout, client.attempt_timeout),
        (Duration::from_secs(2), Duration::from_millis(500))
    );
    assert_eq!((client.retry.max_attempts, client.breaker.window), (3, 50));
    assert_eq!(client.breaker.open_wait, Duration::from_secs(10));
}

#[test]
fn a_short_acknowledgement_deadline_shortens_the_pulls() {
    let config = with(&[("CONSUMER_ACK_WAIT_MS", "2000")]).expect("valid");
    assert_eq!(config.messaging.nats.ack_wait, Duration::from_secs(2));
    assert_eq!(config.messaging.consumer.pull_wait, Duration::from_secs(2));
}

#[test]
fn tokens_default_to_template_rest_and_the_secret_stays_hidden() {
    let config = with(&[]).expect("valid");
    assert_eq!(config.jwt.issuer, "template-rest");
    assert_eq!(format!("{:?}", config.jwt.key), "Secret(redacted)");
    assert_eq!(config.jwt.key, JwtKey::Secret(SECRET.as_bytes().to_vec()));
}

#[test]
fn settings_are_read() {
    let config = with(&[
        ("PORT", "0"),
        ("INVENTORY_URL", "http://inventory:9000/"),
        ("LOG_FORMAT", "json"),
        ("CONSUMER_BACKOFF_INITIAL_MS", "100"),
        ("CONSUMER_BACKOFF_MAX_MS", "250"),
    ])
    .expect("valid");
    assert_eq!(config.port, 0);
    assert_eq!(config.inventory.url, "http://inventory:9000");
    assert_eq!(config.log_format, LogFormat::Json);
    let consumer = &config.messaging.consumer;
    let delays: Vec<_> = (1..=4).map(|attempt| consumer.retry_delay(attempt)).collect();
    assert_eq!(delays, [100, 200, 250, 250].map(Duration::from_millis));
}

#[test]
fn each_invalid_value_names_its_variable() {
    let cases: [(&[(&str, &str)], &str); 17] = [
        (&[("PORT", "eighty")], "PORT"),
        (&[("HOST", "localhost")], "HOST"),
        (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
        (&[("INVENTORY_URL", "https://inventory")], "INVENTORY_URL"),
        (&[("INVENTORY_TIMEOUT_MS", "0")], "INVENTORY_TIMEOUT_MS"),
        (&[("INVENTORY_RETRY_JITTER", "2")], "INVENTORY_RETRY_JITTER"),
        (
            &[("INVENTORY_RETRY_BACKOFF_MIN_MS", "500"), ("INVENTORY_RETRY_BACKOFF_MAX_MS", "100")],
            "INVENTORY_RETRY_BACKOFF_MAX_MS",
        ),
        (&[("INVENTORY_RETRY_BUDGET_PERCENT", "20")], "INVENTORY_RETRY_BUDGET_PERCENT"),
        (&[("INVENTORY_BREAKER_WINDOW", "0")], "INVENTORY_BREAKER_WINDOW"),
        (&[("INVENTORY_BREAKER_FAILURE_RATE", "1.5")], "INVENTORY_BREAKER_FAILURE_RATE"),
        (&[("INVENTORY_BREAKER_HALF_OPEN_TRIALS", "0")], "INVENTORY_BREAKER_HALF_OPEN_TRIALS"),
        (&[("CONSUMER_NAME", "bad name")], "CONSUMER_NAME"),
        (
            &[("CONSUMER_BACKOFF_INITIAL_MS", "500"), ("CONSUMER_BACKOFF_MAX_MS", "100")],
            "CONSUMER_BACKOFF_MAX_MS",
        ),
        (&[("NATS_URL", " ")], "NATS_URL"),
        (&[("JWT_ALGORITHM", "RS256")], "JWT_ALGORITHM"),
        (&[("JWT_ALGORITHM", "EdDSA")], "JWT_ALGORITHM"),
        (&[("JWT_ISSUER", " ")], "JWT_ISSUER"),
    ];
    for (vars, variable) in cases {
        let error = with(vars).expect_err(variable);
        assert_eq!(error.variable, variable, "{error}");
        assert!(error.to_string().starts_with(variable));
    }
}

#[test]
fn the_secret_is_required_and_long_enough() {
    let missing = Config::from_vars(&[]).expect_err("no secret");
    assert_eq!(missing.variable, "JWT_SECRET");
    let short = Config::from_vars(&[("JWT_SECRET", "short")]).expect_err("short");
    assert_eq!(short.variable, "JWT_SECRET");
}

#[test]
fn a_public_key_or_a_key_set_replaces_the_secret() {
    let pem = Config::from_vars(&[("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\\nx")]);
    assert_eq!(
        pem.expect("valid").jwt.key,
        JwtKey::PublicPem(b"-----BEGIN PUBLIC KEY-----\nx".to_vec())
    );
    let url = "http://issuer:8080/.well-known/jwks.json";
    let jwks = Config::from_vars(&[("JWT_JWKS_URL", url), ("JWT_JWKS_REFRESH_SECS", "7")]);
    let JwtKey::Jwks(jwks) = jwks.expect("valid").jwt.key else { panic!("a key set") };
    assert_eq!((jwks.url.as_str(), jwks.min_refresh), (url, Duration::from_secs(7)));
    assert_eq!(jwks.max_age, Duration::from_mins(5));
    let cases: [&[(&str, &str)]; 4] = [
        &[("JWT_SECRET", SECRET), ("JWT_PUBLIC_KEY", "pem")],
        &[("JWT_PUBLIC_KEY", "pem"), ("JWT_JWKS_URL", url)],
        &[("JWT_JWKS_URL", "https://issuer/.well-known/jwks.json")],
        &[("JWT_PUBLIC_KEY", "pem"), ("JWT_ALGORITHM", "HS256")],
    ];
    let variables: Vec<_> =
        cases.iter().map(|vars| Config::from_vars(vars).expect_err("refused").variable).collect();
    assert_eq!(variables, ["JWT_SECRET", "JWT_SECRET", "JWT_JWKS_URL", "JWT_ALGORITHM"]);
}

#[test]
fn an_unreadable_key_file_is_named() {
    let vars = [("JWT_ALGORITHM", "EdDSA"), ("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem")];
    let error = Config::from_vars(&vars).expect_err("no file");
    assert_eq!(error.variable, "JWT_PUBLIC_KEY_FILE");
    assert!(error.message.contains("/nonexistent/key.pem"));
}

#[test]
fn limits_must_be_positive() {
    let variables = [
        "METRICS_CACHE_SECS",
        "ORDER_RATE_LIMIT_PER_MINUTE",
        "ORDER_RATE_LIMIT_BURST",
        "PENDING_ORDER_TTL_SECS",
        "RELEASE_POLL_INTERVAL_MS",
    ];
    for variable in variables {
        let error = with(&[(variable, "0")]).expect_err(variable);
        assert_eq!(error.variable, variable, "{error}");
    }
}
