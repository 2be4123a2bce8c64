//! Login throttling that an attacker cannot turn against the owner, the same throttle on
//! password changes, and the stricter limit on registration. Clients are told apart by
//! `X-Forwarded-For` behind one trusted proxy hop.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, Reply, TestApp};

const LOGIN: &str = "/api/v1/auth/login";
const REGISTER: &str = "/api/v1/auth/register";
const OWNER: &str = "owner@example.com";

/// The production login limits, behind one proxy.
const DEFAULT_LOGIN_LIMITS: [(&str, &str); 3] = [
    ("TRUSTED_PROXY_HOPS", "1"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "10"),
    ("LOGIN_RATE_LIMIT_BURST", "5"),
];

async fn post_from(app: &TestApp, client: &str, uri: &str, body: &Value) -> Reply {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.raw(request).await
}

async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> Reply {
    post_from(app, client, LOGIN, &json!({"email": email, "password": password})).await
}

async fn register_from(app: &TestApp, client: &str, email: &str) -> Reply {
    let body = json!({"email": email, "password": PASSWORD, "name": "Someone"});
    post_from(app, client, REGISTER, &body).await
}

fn retry_after(reply: &Reply) -> u64 {
    reply.problem(StatusCode::TOO_MANY_REQUESTS);
    reply.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

#[sqlx::test]
async fn five_failures_from_one_address_do_not_lock_the_owner_out(pool: DbPool) {
    let app = TestApp::with(pool, &DEFAULT_LOGIN_LIMITS, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    for _ in 0..5 {
        let reply = login_from(&app, "127.0.0.1", OWNER, "a wrong password").await;
        reply.problem(StatusCode::UNAUTHORIZED);
    }
    let owner = login_from(&app, "127.0.0.2", OWNER, PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[sqlx::test]
async fn any_number_of_failures_from_another_address_leave_the_owner_in(pool: DbPool) {
    let app = TestApp::with(pool, &DEFAULT_LOGIN_LIMITS, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    let mut attacker_statuses = Vec::new();
    for _ in 0..60 {
        attacker_statuses.push(login_from(&app, "203.0.113.66", OWNER, "guess").await.status);
    }
    assert!(attacker_statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "the attacker is slowed");
    let owner = login_from(&app, "198.51.100.20", OWNER, PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[sqlx::test]
async fn an_address_that_keeps_failing_on_an_account_must_wait(pool: DbPool) {
    let settings = [("TRUSTED_PROXY_HOPS", "1"), ("LOGIN_FAILURES_BEFORE_DELAY", "2")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    for _ in 0..3 {
        login_from(&app, "203.0.113.5", OWNER, "a wrong password").await;
    }
    let same_address = login_from(&app, "203.0.113.5", OWNER, PASSWORD).await;
    assert!(retry_after(&same_address) >= 1);
    let other_address = login_from(&app, "203.0.113.6", OWNER, PASSWORD).await;
    assert_eq!(other_address.status, StatusCode::OK, "{}", other_address.body);
}

#[sqlx::test]
async fn one_address_failing_on_many_accounts_must_wait(pool: DbPool) {
    let settings = [("TRUSTED_PROXY_HOPS", "1"), ("LOGIN_IP_FAILURES_BEFORE_DELAY", "3")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    for account in 0..4 {
        let email = format!("stuffed-{account}@example.com");
        login_from(&app, "203.0.113.9", &email, "leaked password").await;
    }
    let stuffing = login_from(&app, "203.0.113.9", OWNER, PASSWORD).await;
    assert!(retry_after(&stuffing) >= 1);
    let owner = login_from(&app, "198.51.100.1", OWNER, PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[sqlx::test]
async fn the_account_ceiling_counts_addresses_not_failures(pool: DbPool) {
    let settings = [("TRUSTED_PROXY_HOPS", "1"), ("LOGIN_ACCOUNT_FAILING_ADDRESSES", "3")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    app.register("other@example.com", "Other").await;
    for _ in 0..4 {
        login_from(&app, "203.0.113.1", "other@example.com", "guess").await;
    }
    let after_one_address = login_from(&app, "198.51.100.2", "other@example.com", PASSWORD).await;
    assert_eq!(after_one_address.status, StatusCode::OK, "one address never reaches it");
    for client in ["203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14"] {
        login_from(&app, client, OWNER, "guess").await.problem(StatusCode::UNAUTHORIZED);
    }
    let distributed = login_from(&app, "198.51.100.3", OWNER, PASSWORD).await;
    assert!(retry_after(&distributed) >= 1, "failures from many addresses slow the account");
}

#[sqlx::test]
async fn password_changes_go_through_the_login_throttle(pool: DbPool) {
    let settings = [("TRUSTED_PROXY_HOPS", "1"), ("LOGIN_FAILURES_BEFORE_DELAY", "2")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let (id, tokens) = app.user(OWNER).await;
    let uri = format!("/api/v1/users/{id}/password");
    let change = |current: &str, client: &'static str| {
        let body = json!({"current_password": current, "new_password": "a brand new passphrase"});
        Request::builder()
            .method(Method::PUT)
            .uri(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", tokens.access))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", client)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    for _ in 0..3 {
        app.raw(change("a stolen-token guess", "203.0.113.7")).await.problem(StatusCode::FORBIDDEN);
    }
    let guessing = app.raw(change(PASSWORD, "203.0.113.7")).await;
    assert!(retry_after(&guessing) >= 1, "no guessing oracle behind a stolen token");
    let login = login_from(&app, "203.0.113.7", OWNER, PASSWORD).await;
    assert!(retry_after(&login) >= 1, "the same throttle as login");
    let owner = app.raw(change(PASSWORD, "198.51.100.4")).await;
    assert_eq!(owner.status, StatusCode::NO_CONTENT, "{}", owner.body);
}

#[sqlx::test]
async fn registration_has_its_own_stricter_limit(pool: DbPool) {
    let settings = [
        ("TRUSTED_PROXY_HOPS", "1"),
        ("REGISTER_RATE_LIMIT_PER_HOUR", "1"),
        ("REGISTER_RATE_LIMIT_BURST", "2"),
    ];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    for email in ["one@example.com", "two@example.com"] {
        assert_eq!(register_from(&app, "203.0.113.40", email).await.status, StatusCode::CREATED);
    }
    let third = register_from(&app, "203.0.113.40", "three@example.com").await;
    assert!(retry_after(&third) >= 1);
    let elsewhere = register_from(&app, "203.0.113.41", "three@example.com").await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.body);
}

#[sqlx::test]
async fn probing_for_registered_emails_is_rate_limited(pool: DbPool) {
    let settings = [
        ("TRUSTED_PROXY_HOPS", "1"),
        ("REGISTER_RATE_LIMIT_PER_HOUR", "1"),
        ("REGISTER_RATE_LIMIT_BURST", "2"),
    ];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    app.register(OWNER, "Owner").await;
    let probe = register_from(&app, "203.0.113.50", OWNER).await;
    probe.problem(StatusCode::CONFLICT);
    register_from(&app, "203.0.113.50", "fresh@example.com").await;
    let next_probe = register_from(&app, "203.0.113.50", "ceo@example.com").await;
    assert!(retry_after(&next_probe) >= 1, "each probe spends the registration budget");
}
