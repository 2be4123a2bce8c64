//! A test client over the router, and shortcuts for common set-up.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::service::app::Wiring;
use crate::service::auth::HashCost;
use crate::service::config::{AdminSeed, Config};
use crate::service::events::Subscriber;
use crate::service::repositories::pool::DbPool;
use crate::service::state::{AppState, ShutdownSignal};
use crate::service::{app, http};

/// The HMAC secret every test app signs with.
pub const SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// Issuer and audience of test tokens.
pub const ISSUER: &str = "test-issuer";
/// Audience of test tokens.
pub const AUDIENCE: &str = "test-audience";
/// Credentials of the seeded administrator.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// Password of the seeded administrator.
pub const ADMIN_PASSWORD: &str = "admin-password-123";
/// A valid password for test users.
pub const PASSWORD: &str = "correct horse battery";

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
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(self.body["status"], status.as_u16());
        assert_eq!(self.body["type"], "about:blank");
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        &self.body
    }

    /// The fields named in a validation problem, sorted.
    pub fn invalid_fields(&self) -> Vec<String> {
        let body = self.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let errors = body["errors"].as_array().expect("errors list");
        errors.iter().map(|error| error["field"].as_str().expect("field").to_owned()).collect()
    }
}

/// The service over a test database.
pub struct TestApp {
    router: Router,
    pub pool: DbPool,
    pub upload_dir: std::path::PathBuf,
    pub shutdown: ShutdownSignal,
}

/// Configuration shared by all tests, with `settings` added. Rate limits are high, so that
/// only the tests about them meet them; uploads go to a fresh directory.
pub fn test_config(settings: &[(&str, &str)]) -> Config {
    let uploads = std::env::temp_dir().join(format!("uploads-{}", uuid::Uuid::now_v7()));
    let uploads = uploads.to_string_lossy().into_owned();
    let mut vars = vec![
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
        ("DATABASE_URL", "unused://the-pool-is-given"),
        ("RATE_LIMIT_PER_SECOND", "10000"),
        ("RATE_LIMIT_BURST", "10000"),
        ("LOGIN_RATE_LIMIT_PER_MINUTE", "10000"),
        ("LOGIN_RATE_LIMIT_BURST", "10000"),
        ("LOGIN_IP_FAILURES_BEFORE_DELAY", "10000"),
        ("REGISTER_RATE_LIMIT_PER_HOUR", "1000000"),
        ("REGISTER_RATE_LIMIT_BURST", "10000"),
        ("UPLOAD_DIR", &uploads),
    ];
    if !settings.iter().any(|(name, _)| name.starts_with("JWT_PRIVATE_KEY")) {
        vars.push(("JWT_SECRET", SECRET));
    }
    vars.extend_from_slice(settings);
    Config::from_vars(&vars).expect("test configuration")
}

impl TestApp {
    /// Wires the service over `pool`, with cheap password hashing and a seeded admin.
    pub async fn new(pool: DbPool) -> Self {
        Self::with(pool, &[], Vec::new()).await
    }

    /// Like [`TestApp::new`], with extra settings and event subscribers.
    pub async fn with(
        pool: DbPool,
        settings: &[(&str, &str)],
        subscribers: Vec<Arc<dyn Subscriber>>,
    ) -> Self {
        let config = test_config(settings);
        let wiring = Wiring { cost: HashCost::MINIMAL, subscribers };
        let state = app::wire(&config, pool.clone(), wiring).expect("wire");
        let seed = AdminSeed { email: ADMIN_EMAIL.into(), password: ADMIN_PASSWORD.into() };
        state.auth.ensure_admin(&seed).await.expect("seed admin");
        let (upload_dir, shutdown) = (config.uploads.dir.clone(), state.shutdown.clone());
        Self { router: http::router(state, &config.http), pool, upload_dir, shutdown }
    }

    /// The router, for tests that serve it over TCP.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Test-only `routes` behind the service's middleware stack, for behaviour no real route
    /// shows on demand (a panic, a slow handler).
    pub fn with_routes(pool: DbPool, settings: &[(&str, &str)], routes: Router<AppState>) -> Self {
        let config = test_config(settings);
        let wiring = Wiring { cost: HashCost::MINIMAL, subscribers: Vec::new() };
        let state = app::wire(&config, pool.clone(), wiring).expect("wire");
        let shutdown = state.shutdown.clone();
        let wrapped = http::middleware::wrap(routes, &config.http, &state).with_state(state);
        Self { router: wrapped, pool, upload_dir: config.uploads.dir, shutdown }
    }

    /// Starts a request; add a token or a body, then `send` it.
    pub fn request(&self, method: Method, uri: &str) -> Call<'_> {
        Call { app: self, builder: Request::builder().method(method).uri(uri), body: Body::empty() }
    }

    /// Sends a prepared request.
    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: parse_body(&bytes) }
    }

    /// `GET` with a token.
    pub async fn get(&self, uri: &str, token: &str) -> Reply {
        self.request(Method::GET, uri).token(token).send().await
    }

    /// `PATCH` with a token and a JSON body.
    pub async fn patch(&self, uri: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PATCH, uri).token(token).json(&body).send().await
    }

    /// Registers a user and returns the response body.
    pub async fn register(&self, email: &str, name: &str) -> Value {
        let body = json!({"email": email, "password": PASSWORD, "name": name});
        let reply = self.request(Method::POST, "/api/v1/auth/register").json(&body).send().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    /// Logs in and returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Tokens {
        let body = json!({"email": email, "password": password});
        let reply = self.request(Method::POST, "/api/v1/auth/login").json(&body).send().await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        Tokens::from(&reply.body)
    }

    /// Registers a user, logs them in, and returns their id and tokens.
    pub async fn user(&self, email: &str) -> (String, Tokens) {
        let user = self.register(email, "Test User").await;
        (user["id"].as_str().expect("user id").to_owned(), self.login(email, PASSWORD).await)
    }

    /// Logs in as the seeded administrator.
    pub async fn admin(&self) -> Tokens {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }
}

/// An access and a refresh token.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl From<&Value> for Tokens {
    fn from(body: &Value) -> Self {
        Self {
            access: body["access_token"].as_str().expect("access_token").to_owned(),
            refresh: body["refresh_token"].as_str().expect("refresh_token").to_owned(),
        }
    }
}

/// A request being built.
pub struct Call<'app> {
    app: &'app TestApp,
    builder: axum::http::request::Builder,
    body: Body,
}

impl Call<'_> {
    /// Adds `Authorization: Bearer <token>`.
    pub fn token(mut self, token: &str) -> Self {
        self.builder = self.builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        self
    }

    /// Adds a JSON body.
    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(body.to_string());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Reply {
        self.app.raw(self.builder.body(self.body).expect("valid request")).await
    }
}

/// JSON when the body is JSON, a string otherwise, `Null` when empty.
fn parse_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
