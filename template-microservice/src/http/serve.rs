//! The accept loop: hyper with a header-read timeout, a cap on open connections, and a
//! graceful shutdown bounded in time.
//!
//! `axum::serve` has no header-read timeout, so a client that sends its headers slowly
//! (slowloris) could hold a connection for ever. Here hyper's HTTP/1 builder closes any
//! connection whose request head does not arrive within `header_read_timeout`, and a semaphore
//! caps open connections, so hundreds of slow clients cannot starve the others.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt as _;

/// How connections are served and drained.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServeSettings {
    /// Longest a client may take to send a request head.
    pub(crate) header_read_timeout: Duration,
    /// Longest in-flight requests may run once shutdown begins.
    pub(crate) shutdown_timeout: Duration,
    /// Most connections open at once; further clients wait in the listen backlog.
    pub(crate) max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets
/// in-flight requests finish (up to `shutdown_timeout`), and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ServeSettings,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(settings.max_connections));
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(settings.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        let Some((stream, peer, permit)) = accepted else { continue };
        let connection =
            builder.serve_connection(TokioIo::new(stream), service(router.clone(), peer));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    drain(graceful, settings.shutdown_timeout).await;
}

/// Waits for a free connection slot, then for a client.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    let accepted =
        listener.accept().await.inspect_err(|error| tracing::warn!(%error, "accept failed"));
    let Ok((stream, peer)) = accepted else {
        // Out of file descriptors, or a connection reset before accept: back off briefly.
        tokio::time::sleep(Duration::from_millis(50)).await;
        return None;
    };
    let _ = stream.set_nodelay(true);
    Some((stream, peer, permit))
}

/// The router as a hyper service that knows the peer address, for logs.
fn service(
    router: Router,
    peer: SocketAddr,
) -> TowerToHyperService<
    impl tower::Service<
        Request<hyper::body::Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send,
    > + Clone,
> {
    TowerToHyperService::new(tower::service_fn(
        move |mut request: Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        },
    ))
}

async fn drain(graceful: GracefulShutdown, timeout: Duration) {
    let connections = graceful.count();
    tracing::info!(connections, "draining connections");
    let drained = tokio::time::timeout(timeout, graceful.shutdown()).await;
    if drained.is_err() {
        tracing::info!("shutdown timeout reached: closing the remaining connections");
    }
}
