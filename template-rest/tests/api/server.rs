//! The accept loop over real TCP: slow-header clients are cut off without delaying others, and
//! shutdown lets requests in flight finish while refusing new connections.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::service::http::serve::{ServeSettings, serve};
use crate::service::repositories::pool::DbPool;
use crate::service::state::AppState;
use crate::support::TestApp;

const SETTINGS: ServeSettings = ServeSettings {
    header_read_timeout: Duration::from_secs(1),
    write_timeout: Duration::from_secs(10),
    shutdown_timeout: Duration::from_secs(10),
    max_connections: 1_000,
};

/// Serves `router` on a random port until the returned sender fires.
async fn start(router: Router) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, SETTINGS, async {
        let _ = stopped.await;
    }));
    (address, stop, server)
}

/// A whole HTTP/1.1 exchange on a fresh connection; returns the status line.
pub async fn get_status(address: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response.lines().next().unwrap_or_default().to_owned())
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(700)).await;
    "done"
}

#[sqlx::test]
async fn slow_header_clients_are_cut_off_and_do_not_delay_others(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (address, _stop, _server) = start(app.router()).await;
    let mut slow_clients = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.unwrap();
        slow_clients.push(stream);
    }
    let normal = (0..20).map(|_| tokio::spawn(get_status(address, "/health/live")));
    for status in futures_join(normal).await {
        assert_eq!(status, "HTTP/1.1 200 OK");
    }
    for mut stream in slow_clients {
        let mut sink = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut sink)).await;
        assert!(closed.is_ok(), "a slow-header connection was left open");
    }
}

async fn futures_join(
    handles: impl Iterator<Item = tokio::task::JoinHandle<std::io::Result<String>>>,
) -> Vec<String> {
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap().unwrap_or_else(|error| error.to_string()));
    }
    statuses
}

#[sqlx::test]
async fn shutdown_finishes_requests_in_flight_and_refuses_new_ones(pool: DbPool) {
    let app = TestApp::with_routes(pool, &[], Router::<AppState>::new().route("/slow", get(slow)));
    let (address, stop, server) = start(app.router()).await;
    let in_flight: Vec<_> = (0..10).map(|_| tokio::spawn(get_status(address, "/slow"))).collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(TcpStream::connect(address).await.is_err(), "the listener is closed");
    for status in futures_join(in_flight.into_iter()).await {
        assert_eq!(status, "HTTP/1.1 200 OK", "every request in flight completes");
    }
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("serve returns").unwrap();
}
