//! The client address: `X-Forwarded-For` only from trusted proxies, entries with ports, and
//! IPv6 clients counted per /64.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp};

/// One request per client per second, no burst.
const ONE_PER_SECOND: [(&str, &str); 2] =
    [("RATE_LIMIT_PER_SECOND", "1"), ("RATE_LIMIT_BURST", "1")];

/// `GET /health/live` from `peer`, through `forwarded_for` when given.
fn live(peer: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/health/live");
    if let Some(chain) = forwarded_for {
        request = request.header("x-forwarded-for", chain);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: IpAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
    request
}

async fn statuses(app: &TestApp, requests: Vec<Request<Body>>) -> Vec<u16> {
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(app.raw(request).await.status.as_u16());
    }
    statuses
}

#[sqlx::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy(pool: DbPool) {
    let settings =
        [ONE_PER_SECOND[0], ONE_PER_SECOND[1], ("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let requests = vec![
        live("10.1.2.3", Some("203.0.113.1")),
        live("192.0.2.7", Some("203.0.113.2")),
        live("10.9.9.9", Some("203.0.113.1")),
        live("198.51.100.5", Some("203.0.113.3")),
        live("198.51.100.5", Some("203.0.113.4")),
    ];
    assert_eq!(
        statuses(&app, requests).await,
        [200, 200, 429, 200, 429],
        "proxies pass their clients through; anyone else is the client"
    );
}

#[sqlx::test]
async fn the_chain_is_walked_from_the_right_past_trusted_proxies(pool: DbPool) {
    let settings = [ONE_PER_SECOND[0], ONE_PER_SECOND[1], ("TRUSTED_PROXIES", "10.0.0.0/8")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let requests = vec![
        live("10.0.0.9", Some("6.6.6.6, 203.0.113.1, 10.0.0.5")),
        live("10.0.0.9", Some("7.7.7.7, 203.0.113.2, 10.0.0.5")),
        live("10.0.0.8", Some("8.8.8.8, 203.0.113.1")),
    ];
    assert_eq!(statuses(&app, requests).await, [200, 200, 429], "spoofed left entries are ignored");
}

#[sqlx::test]
async fn forwarded_entries_with_ports_parse(pool: DbPool) {
    let settings = [ONE_PER_SECOND[0], ONE_PER_SECOND[1], ("TRUSTED_PROXY_HOPS", "1")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let requests = vec![
        live("127.0.0.1", Some("203.0.113.9:5678")),
        live("127.0.0.1", None),
        live("127.0.0.1", Some("203.0.113.9:1111")),
        live("127.0.0.1", Some("[2001:db8::1]:443")),
        live("127.0.0.1", Some("[2001:db8::1]")),
    ];
    assert_eq!(statuses(&app, requests).await, [200, 200, 429, 200, 429]);
}

#[sqlx::test]
async fn ipv6_clients_are_limited_per_64(pool: DbPool) {
    let app = TestApp::with(pool, &ONE_PER_SECOND, Vec::new()).await;
    let requests = vec![
        live("2001:db8:1:2::1", None),
        live("2001:db8:1:2:aaaa:bbbb:cccc:dddd", None),
        live("2001:db8:1:3::1", None),
        live("10.0.0.1", None),
        live("10.0.0.2", None),
    ];
    assert_eq!(statuses(&app, requests).await, [200, 429, 200, 200, 200]);
}

#[sqlx::test]
async fn login_failures_from_one_64_count_together(pool: DbPool) {
    let app = TestApp::with(pool, &[("LOGIN_FAILURES_BEFORE_DELAY", "2")], Vec::new()).await;
    app.register("six@example.com", "Six").await;
    let login = |peer: &str, password: &str| {
        let body = json!({"email": "six@example.com", "password": password});
        let mut request = Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let peer: IpAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
        request
    };
    for peer in ["2001:db8::1", "2001:db8::2", "2001:db8::3"] {
        app.raw(login(peer, "wrong guess")).await.problem(StatusCode::UNAUTHORIZED);
    }
    app.raw(login("2001:db8::4", PASSWORD)).await.problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.raw(login("2001:db8:0:1::1", PASSWORD)).await.status, StatusCode::OK);
}
