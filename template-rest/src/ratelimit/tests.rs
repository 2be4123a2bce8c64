//! The module's own tests, through its public surface: the layer's 429 in a router of its own,
//! the `ClientIp` extractor in a state of its own, and the login guard's refusal.
//! (`limiter.rs`, `throttle.rs`, `client_ip/` and `store/` have their own.)

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRef};
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt as _;

use super::*;

/// One request, from `peer` when given.
async fn call(app: Router, peer: Option<&str>, forwarded: Option<&str>) -> Response {
    let mut request = Request::builder().uri("/");
    if let Some(chain) = forwarded {
        request = request.header("x-forwarded-for", chain);
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        let address: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(address));
    }
    app.oneshot(request).await.unwrap()
}

async fn body_text(response: Response) -> String {
    String::from_utf8(to_bytes(response.into_body(), 4_096).await.unwrap().to_vec()).unwrap()
}

fn limited(burst: u32, policy: ClientIpPolicy) -> Router {
    let limiter =
        LimitFactory::Memory.rate_limiter("client", RateLimit { per_second: 1e-3, burst });
    Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(PerClientLayer::new(limiter, Arc::new(policy)))
}

#[tokio::test]
async fn past_its_burst_a_client_gets_a_problem_json_429_with_retry_after() {
    let app = limited(2, ClientIpPolicy::default());
    for _ in 0..2 {
        assert_eq!(call(app.clone(), Some("192.0.2.1:1000"), None).await.status(), StatusCode::OK);
    }
    let refused = call(app.clone(), Some("192.0.2.1:1001"), None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()[header::CONTENT_TYPE], "application/problem+json");
    let retry_after: u64 =
        refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert_eq!(
        body_text(refused).await,
        r#"{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"too many requests"}"#
    );
    let other = call(app, Some("192.0.2.2:1000"), None).await;
    assert_eq!(other.status(), StatusCode::OK, "each address has its own bucket");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_not_the_proxy() {
    let policy = ClientIpPolicy {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..ClientIpPolicy::default()
    };
    let app = limited(1, policy);
    let first = call(app.clone(), Some("10.0.0.1:1000"), Some("203.0.113.7")).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = call(app.clone(), Some("10.0.0.1:1000"), Some("203.0.113.7")).await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
    let another = call(app, Some("10.0.0.1:1000"), Some("203.0.113.8")).await;
    assert_eq!(another.status(), StatusCode::OK, "another client behind the same proxy");
}

#[derive(Clone)]
struct State {
    policy: Arc<ClientIpPolicy>,
}

impl FromRef<State> for Arc<ClientIpPolicy> {
    fn from_ref(state: &State) -> Self {
        state.policy.clone()
    }
}

#[tokio::test]
async fn client_ip_extracts_in_any_state_that_holds_the_policy() {
    let policy = ClientIpPolicy { trusted_proxy_hops: 1, ..ClientIpPolicy::default() };
    let state = State { policy: Arc::new(policy) };
    let app = Router::new()
        .route("/", get(|ClientIp(address): ClientIp| async move { address.to_string() }))
        .with_state(state);
    assert_eq!(
        body_text(call(app.clone(), None, Some("198.51.100.4")).await).await,
        "198.51.100.4"
    );
    assert_eq!(body_text(call(app, None, None).await).await, "127.0.0.1", "no peer: localhost");
}

fn login_limits() -> LoginLimits {
    LoginLimits {
        rate: RateLimit { per_second: 1.0, burst: 100 },
        failures_before_delay: 2,
        ip_failures_before_delay: 50,
        account_failing_addresses: 50,
        max_delay: Duration::from_mins(1),
        max_entries: 1_000,
    }
}

#[tokio::test]
async fn the_guard_slows_the_failing_address_and_spares_the_owner_elsewhere() {
    let guard = LoginGuard::in_memory(&login_limits());
    let attacker: IpAddr = "203.0.113.9".parse().unwrap();
    let owner: IpAddr = "198.51.100.1".parse().unwrap();
    for _ in 0..3 {
        guard.admit(attacker, "ann@example.com").await.unwrap();
        guard.failed(attacker, "ann@example.com").await;
    }
    let refused = guard.admit(attacker, "ann@example.com").await.unwrap_err();
    assert!(refused.retry_after > Duration::ZERO, "{refused:?}");
    assert_eq!(refused.into_response().status(), StatusCode::TOO_MANY_REQUESTS);
    guard.admit(owner, "ann@example.com").await.expect("the owner's own address is not slowed");
    guard.succeeded(owner, "ann@example.com").await;
    guard.purge();
}

#[test]
fn a_wait_under_a_second_still_says_one_second() {
    let response = TooManyRequests { retry_after: Duration::from_millis(10) }.into_response();
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
}
