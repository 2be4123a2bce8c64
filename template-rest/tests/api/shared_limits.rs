//! Limits shared by all replicas: two instances of the service on one Redis and one database
//! (`RATE_LIMIT_STORE=redis`), each test under a Redis key prefix of its own.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, Reply, TestApp};

const BURST: usize = 10;

/// Settings that share the limits through Redis under a fresh prefix, plus `extra`.
fn shared(prefix: &str, extra: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let mut settings = vec![
        ("RATE_LIMIT_STORE".to_owned(), "redis".to_owned()),
        ("REDIS_URL".to_owned(), "redis://127.0.0.1:6379".to_owned()),
        ("RATE_LIMIT_REDIS_PREFIX".to_owned(), prefix.to_owned()),
        ("TRUSTED_PROXY_HOPS".to_owned(), "1".to_owned()),
    ];
    settings.extend(extra.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())));
    settings
}

/// Two instances of the service on the database behind `pool`, with `settings`.
async fn two_replicas(pool: &DbPool, settings: &[(String, String)]) -> [TestApp; 2] {
    let settings: Vec<(&str, &str)> =
        settings.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    let first = TestApp::with(pool.clone(), &settings, Vec::new()).await;
    let second = TestApp::with(pool.clone(), &settings, Vec::new()).await;
    [first, second]
}

fn prefix() -> String {
    format!("test:{}:", uuid::Uuid::now_v7())
}

async fn get_from(app: &TestApp, client: &str) -> Reply {
    let request =
        Request::get("/health/live").header("x-forwarded-for", client).body(Body::empty());
    app.raw(request.unwrap()).await
}

/// Requests alternating between the replicas, until one is refused: how many passed.
async fn alternate_until_refused(replicas: &[TestApp; 2]) -> usize {
    for sent in 0..4 * BURST {
        let reply = get_from(&replicas[sent % 2], "198.51.100.7").await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            return sent;
        }
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    4 * BURST
}

const ONE_PER_SECOND: [(&str, &str); 2] =
    [("RATE_LIMIT_PER_SECOND", "1"), ("RATE_LIMIT_BURST", "10")];

#[sqlx::test]
async fn a_client_alternating_between_replicas_gets_one_budget(pool: DbPool) {
    let replicas = two_replicas(&pool, &shared(&prefix(), &ONE_PER_SECOND)).await;
    let started = Instant::now();
    let passed = alternate_until_refused(&replicas).await;
    // The bucket refills one token a second while the requests are sent.
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap();
    assert!((BURST..=BURST + refilled).contains(&passed), "{passed} passed");
    let other = get_from(&replicas[1], "198.51.100.8").await;
    assert_eq!(other.status, StatusCode::OK, "another client has its own budget");
}

#[sqlx::test]
async fn in_memory_each_replica_gives_a_budget_of_its_own(pool: DbPool) {
    let settings: Vec<(String, String)> = [("TRUSTED_PROXY_HOPS", "1")]
        .iter()
        .chain(ONE_PER_SECOND.iter())
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let replicas = two_replicas(&pool, &settings).await;
    let started = Instant::now();
    let passed = alternate_until_refused(&replicas).await;
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap();
    assert!((2 * BURST..=2 * BURST + 2 * refilled).contains(&passed), "{passed} passed");
}

async fn login_from(app: &TestApp, client: &str, password: &str) -> Reply {
    let body = json!({"email": "owner@example.com", "password": password});
    let request = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(body.to_string()));
    app.raw(request.unwrap()).await
}

/// Two failed logins from `client` on the first replica (the second starts a one-second
/// delay), then the right password from `client` on the second replica: its answer, and
/// whether it came back within a second of sending the second failure, so inside the delay.
async fn fail_twice_then_retry(replicas: &[TestApp; 2], client: &str) -> (Reply, bool) {
    login_from(&replicas[0], client, "a wrong password").await.problem(StatusCode::UNAUTHORIZED);
    let second_failure_sent = Instant::now();
    login_from(&replicas[0], client, "a wrong password").await.problem(StatusCode::UNAUTHORIZED);
    let retried = login_from(&replicas[1], client, PASSWORD).await;
    (retried, second_failure_sent.elapsed() < Duration::from_secs(1))
}

#[sqlx::test]
async fn a_login_throttle_started_on_one_replica_holds_on_the_other(pool: DbPool) {
    let settings = shared(&prefix(), &[("LOGIN_FAILURES_BEFORE_DELAY", "1")]);
    let replicas = two_replicas(&pool, &settings).await;
    replicas[0].register("owner@example.com", "Owner").await;
    // A retry answered within the delay must be refused. One answered after it (a loaded
    // machine can take that long) shows nothing either way: the scenario runs again from
    // another address, until an answer falls inside the delay.
    for attempt in 1..=5 {
        let client = format!("203.0.113.{attempt}");
        let (retried, inside_the_delay) = fail_twice_then_retry(&replicas, &client).await;
        if retried.status == StatusCode::TOO_MANY_REQUESTS {
            retried.problem(StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(retried.headers[header::RETRY_AFTER], "1");
            let owner = login_from(&replicas[1], "203.0.113.100", PASSWORD).await;
            assert_eq!(owner.status, StatusCode::OK, "the owner elsewhere: {}", owner.body);
            return;
        }
        assert!(!inside_the_delay, "a retry inside the delay passed: {}", retried.body);
    }
    panic!("no retry in 5 came back within a second: the delay could not be observed");
}

#[sqlx::test]
async fn decisions_made_without_redis_follow_the_policy_and_are_counted(pool: DbPool) {
    let unreachable = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("redis://{unreachable}");
    let open = [("RATE_LIMIT_STORE", "redis"), ("REDIS_URL", url.as_str())];
    let app = TestApp::with(pool.clone(), &open, Vec::new()).await;
    assert_eq!(app.request(Method::GET, "/health/live").send().await.status, StatusCode::OK);
    let metrics = app.request(Method::GET, "/metrics").send().await;
    let text = metrics.body.as_str().unwrap();
    assert!(text.contains(r#"rate_limit_store_fallback_total{policy="open"}"#), "{text}");

    let closed = [open[0], open[1], ("RATE_LIMIT_REDIS_FAILURE", "closed")];
    let app = TestApp::with(pool, &closed, Vec::new()).await;
    let refused = app.request(Method::GET, "/health/live").send().await;
    refused.problem(StatusCode::TOO_MANY_REQUESTS);
}
