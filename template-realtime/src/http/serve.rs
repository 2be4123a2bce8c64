//! The accept loop: hyper's HTTP/1 with upgrades, a header-read timeout, and a graceful
//! shutdown bounded in time.
//!
//! `axum::serve` has no header-read timeout, so a client that sends its headers slowly
//! (slowloris) could hold a connection for ever; here hyper closes any connection whose request
//! head does not arrive in time. Every HTTP connection and every WebSocket session is tracked,
//! so that shutdown can wait for them, up to its deadline.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::shutdown::Shutdown;

/// How connections are served and drained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServeSettings {
    /// Longest a client may take to send a request head.
    pub(crate) header_read_timeout: Duration,
    /// Longest the connections may take to close once shutdown begins.
    pub(crate) shutdown_timeout: Duration,
}

/// Serves `router` on `listener` until shutdown begins, then stops accepting, lets every
/// connection finish (sessions close with 1001), and returns within `shutdown_timeout`.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ServeSettings,
    shutdown: Shutdown,
) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(settings.header_read_timeout);
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let Some((stream, peer)) = accepted_stream(accepted).await else { continue };
        let service = TowerToHyperService::new(router.clone().map_request(
            |request: Request<hyper::body::Incoming>| request.map(axum::body::Body::new),
        ));
        let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        shutdown.tracker().spawn(drive(connection, shutdown.clone(), peer));
    }
    drop(listener);
    drain(&shutdown, settings.shutdown_timeout).await;
}

/// Waits for every connection and session to end, up to `timeout`.
async fn drain(shutdown: &Shutdown, timeout: Duration) {
    let tracker = shutdown.tracker();
    tracing::info!(connections = tracker.len(), "draining connections");
    if tokio::time::timeout(timeout, tracker.wait()).await.is_err() {
        tracing::warn!(remaining = tracker.len(), "shutdown deadline reached: leaving the rest");
    }
}

async fn accepted_stream(
    accepted: std::io::Result<(tokio::net::TcpStream, SocketAddr)>,
) -> Option<(tokio::net::TcpStream, SocketAddr)> {
    match accepted {
        Ok((stream, peer)) => {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
            Some((stream, peer))
        }
        Err(error) => {
            // Out of file descriptors, or a connection reset before accept: back off briefly.
            tracing::warn!(%error, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// Runs one HTTP connection; on shutdown, lets its request in flight finish, then closes it.
async fn drive<C>(connection: C, shutdown: Shutdown, peer: SocketAddr)
where
    C: GracefulConnection,
{
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = shutdown.cancelled() => {
            connection.as_mut().start_graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, %peer, "connection closed with an error");
    }
}

/// A connection that can be told to finish its request in flight and close.
pub(crate) trait GracefulConnection:
    std::future::Future<Output = Result<(), hyper::Error>> + Send
{
    /// Stops accepting new requests on this connection.
    fn start_graceful_shutdown(self: std::pin::Pin<&mut Self>);
}

impl<I, S> GracefulConnection for http1::UpgradeableConnection<I, S>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming> + Send,
    S::Future: Send,
    S::ResBody: 'static + Send,
    <S::ResBody as hyper::body::Body>::Data: Send,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn start_graceful_shutdown(self: std::pin::Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}
