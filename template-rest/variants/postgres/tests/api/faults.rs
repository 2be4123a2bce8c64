//! Database faults, PostgreSQL form: the network to the server is cut and restored through a
//! TCP proxy. While it is down, requests fail fast with 503 and `Retry-After`, `/health/ready`
//! is 503 and `/health/live` 200; once it is back, the service recovers by itself, and every
//! write that was answered 2xx is in the database.
//!
//! This file and `src/repositories/database.rs` are the ones that differ between the SQLite and
//! PostgreSQL forms.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::service::config::DatabaseConfig;
use crate::service::repositories::pool::{self, DbPool};
use crate::support::{PASSWORD, TestApp};

/// The URL of the database behind a test pool, for a service started in another process.
pub fn database_url(pool: &DbPool) -> String {
    let options = pool.connect_options();
    let (host, port) = (options.get_host(), options.get_port());
    let database = options.get_database().unwrap_or("postgres");
    format!("postgres://{}@{host}:{port}/{database}", options.get_username())
}

/// A TCP proxy to the database server that can be cut and restored.
struct Proxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Self {
            address: listener.local_addr().unwrap(),
            up: Arc::new(AtomicBool::new(true)),
            links: Arc::default(),
        };
        tokio::spawn(accept(listener, target, proxy.up.clone(), proxy.links.clone()));
        proxy
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.links.lock().unwrap().drain(..).for_each(|link| link.abort());
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Forwards each client to `target` while the proxy is up; refuses them while it is cut.
async fn accept(
    listener: TcpListener,
    target: String,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
    while let Ok((client, _)) = listener.accept().await {
        if up.load(Ordering::SeqCst) {
            links.lock().unwrap().push(tokio::spawn(forward(client, target.clone())));
        }
    }
}

async fn forward(mut client: TcpStream, target: String) {
    if let Ok(mut server) = TcpStream::connect(target).await {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}

async fn register(app: &TestApp, email: &str) -> StatusCode {
    let body = json!({"email": email, "password": PASSWORD, "name": "Writer"});
    app.request(Method::POST, "/api/v1/auth/register").json(&body).send().await.status
}

#[sqlx::test]
async fn an_unreachable_database_fails_fast_and_recovers(pool: DbPool) {
    let options = pool.connect_options();
    let proxy = Proxy::start(format!("{}:{}", options.get_host(), options.get_port())).await;
    let url = database_url(&pool).replace(
        &format!("{}:{}", options.get_host(), options.get_port()),
        &proxy.address.to_string(),
    );
    let settings = DatabaseConfig {
        url,
        max_connections: 4,
        acquire_timeout: Duration::from_millis(500),
        statement_timeout: Duration::from_secs(5),
    };
    let app = TestApp::with(pool::connect(&settings).unwrap(), &[], Vec::new()).await;
    assert_eq!(register(&app, "before@example.com").await, StatusCode::CREATED);
    proxy.cut();
    let refused = app
        .request(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "during@example.com", "password": PASSWORD, "name": "W"}))
        .send()
        .await;
    refused.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    app.request(Method::GET, "/health/ready").send().await.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.request(Method::GET, "/health/live").send().await.status, StatusCode::OK);
    proxy.restore();
    assert_eq!(app.request(Method::GET, "/health/ready").send().await.status, StatusCode::OK);
    assert_eq!(register(&app, "after@example.com").await, StatusCode::CREATED, "recovered");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE role = 'user' ORDER BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored, ["after@example.com", "before@example.com"]);
}
