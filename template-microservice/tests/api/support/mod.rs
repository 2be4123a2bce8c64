//! A test instance of the service with its own database, NATS server and inventory stub, and
//! an HTTP client to call it.

pub mod broker;
pub mod database;
pub mod inventory;
pub mod process;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{HeaderMap, Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::service::config::Config;
use crate::service::server::{self, Running};
pub use broker::NatsServer;
pub use database::TestDb;
pub use inventory::{InventoryStub, Mode};
pub use process::ServiceProcess;

/// The HMAC secret of test tokens.
pub const SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/// A response, with its body parsed as JSON (or `Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts an RFC 9457 problem with `status`, and returns its body.
    pub fn problem(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.headers["content-type"], "application/problem+json");
        assert_eq!(self.body["status"], status.as_u16());
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        &self.body
    }
}

/// The service, its database, its broker and its inventory stub.
pub struct TestApp {
    pub running: Option<Running>,
    pub address: SocketAddr,
    pub inventory: InventoryStub,
    pub nats: NatsServer,
    pub db: TestDb,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// Settings that make failures quick to recover from. The inventory client waits long enough
/// that a busy machine (a CI runner under `cargo llvm-cov`, the service, its stub and the test
/// on two threads) is not taken for a failing inventory: with attempts of 200 ms, 16 orders at
/// once on such a machine timed out, opened the breaker and were refused (503). The tests
/// that make the inventory fail add [`QUICK_BREAKER`] (and [`HANG_DEADLINES`] to hang it).
const TEST_SETTINGS: [(&str, &str); 10] = [
    ("JWT_SECRET", SECRET),
    ("PORT", "0"),
    ("OUTBOX_POLL_INTERVAL_MS", "50"),
    ("RELEASE_POLL_INTERVAL_MS", "100"),
    ("CONSUMER_ACK_WAIT_MS", "1000"),
    ("CONSUMER_BACKOFF_INITIAL_MS", "50"),
    ("CONSUMER_BACKOFF_MAX_MS", "200"),
    ("CONSUMER_MAX_DELIVER", "3"),
    // Within the server's request deadline (REQUEST_TIMEOUT_SECS, 10 s by default).
    ("INVENTORY_ATTEMPT_TIMEOUT_MS", "4000"),
    ("INVENTORY_TIMEOUT_MS", "8000"),
];

/// A breaker that opens after a few failed calls and tries again soon, for the tests that
/// make the inventory fail.
pub const QUICK_BREAKER: [(&str, &str); 6] = [
    ("INVENTORY_RETRY_MAX_ATTEMPTS", "2"),
    ("INVENTORY_RETRY_BACKOFF_MIN_MS", "10"),
    ("INVENTORY_RETRY_BACKOFF_MAX_MS", "50"),
    ("INVENTORY_BREAKER_WINDOW", "10"),
    ("INVENTORY_BREAKER_MINIMUM_CALLS", "4"),
    ("INVENTORY_BREAKER_OPEN_WAIT_MS", "3000"),
];

/// Short deadlines, so that a hanging inventory fails its calls quickly.
pub const HANG_DEADLINES: [(&str, &str); 2] =
    [("INVENTORY_ATTEMPT_TIMEOUT_MS", "200"), ("INVENTORY_TIMEOUT_MS", "1000")];

impl TestApp {
    /// Starts everything with the test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts everything with the test settings and `extra` ones, which win over a test
    /// setting of the same name.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        crate::service::telemetry::init(crate::service::config::LogFormat::Pretty);
        let db = TestDb::new().await;
        let nats = NatsServer::start();
        let inventory = InventoryStub::start().await;
        let config = config(&db, &nats, &inventory, extra);
        let running = server::start(&config, db.pool.clone()).await.expect("starts");
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self { address: running.address, running: Some(running), inventory, nats, db, client }
    }

    /// Sends a request without a body; `token` is a bearer token.
    pub async fn request(&self, method: Method, path: &str, token: Option<&str>) -> Reply {
        self.send(request(method, &format!("http://{}{path}", self.address), token, None)).await
    }

    /// Posts a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let url = format!("http://{}{path}", self.address);
        self.send(request(Method::POST, &url, token, Some(body))).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Reply {
        let (status, headers, bytes) = self.exchange(request).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON")
        };
        Reply { status, headers, body }
    }

    /// The body of `GET path` as text.
    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let url = format!("http://{}{path}", self.address);
        let (status, _, bytes) = self.exchange(request(Method::GET, &url, None, None)).await;
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn exchange(
        &self,
        request: hyper::Request<Full<Bytes>>,
    ) -> (StatusCode, HeaderMap, Bytes) {
        let response = self.client.request(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (parts.status, parts.headers, bytes)
    }

    /// Places an order of one item for `user`.
    pub async fn place_order(&self, user: Uuid) -> Reply {
        let body = json!({ "items": [{ "sku": "ABC-1", "quantity": 2 }] });
        self.post("/api/v1/orders", Some(&token(user)), &body).await
    }

    /// Stops the service gracefully.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

/// The configuration of a test instance, with `extra` settings.
pub fn config(
    db: &TestDb,
    nats: &NatsServer,
    inventory: &InventoryStub,
    extra: &[(&str, &str)],
) -> Config {
    let mut vars: Vec<(&str, &str)> = TEST_SETTINGS.to_vec();
    // A public key or a key set replaces the secret: exactly one of them may be set.
    if extra.iter().any(|(name, _)| name.starts_with("JWT_PUBLIC_KEY") || *name == "JWT_JWKS_URL") {
        vars.retain(|(name, _)| *name != "JWT_SECRET");
    }
    vars.extend_from_slice(extra);
    let nats_url = nats.url();
    vars.extend([
        ("DATABASE_URL", db.url.as_str()),
        ("NATS_URL", &nats_url),
        ("INVENTORY_URL", &inventory.url),
    ]);
    Config::from_vars(&vars).expect("valid test configuration")
}

/// A request to `url`.
pub fn request(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> hyper::Request<Full<Bytes>> {
    let mut builder = hyper::Request::builder().method(method).uri(url);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let bytes = body.map(|body| Bytes::from(body.to_string())).unwrap_or_default();
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder.body(Full::new(bytes)).expect("request")
}

/// An access token for `user`, as template-rest would issue it.
pub fn token(user: Uuid) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({
        "sub": user, "role": "user", "iss": "template-rest", "aud": "template-rest",
        "exp": now + 600, "iat": now, "jti": Uuid::new_v4(),
    });
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("signs")
}

/// The status of `GET url`, if anything answered.
pub async fn get_status(url: &str) -> Option<StatusCode> {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    client
        .request(request(Method::GET, url, None, None))
        .await
        .ok()
        .map(|response| response.status())
}

/// The body of `GET url`, as text.
pub async fn get_text(url: &str) -> String {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let response = client.request(request(Method::GET, url, None, None)).await.expect("answered");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&body).into_owned()
}

/// Polls `check` until it holds, for at most `limit`; returns whether it held.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check().await
}
