//! Avatar downloads are streamed from storage, and a client that stops reading cannot hold a
//! connection slot (and the response) for ever.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tower::ServiceExt as _;

use crate::avatars::{PNG, multipart, stored_files, upload};
use crate::server::get_status;
use crate::service::http::serve::{ServeSettings, serve};
use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

/// The largest piece of a file the service holds in memory while streaming it.
const CHUNK_BYTES: usize = 64 * 1024;

/// A user with an avatar of `size` bytes; returns the user's id and the image.
async fn user_with_avatar(app: &TestApp, size: usize) -> (String, Vec<u8>) {
    let (id, tokens) = app.user("big@example.com").await;
    let mut image = PNG.to_vec();
    image.extend((0..size - PNG.len()).map(|index| u8::try_from(index % 251).unwrap()));
    let reply = upload(app, &id, &tokens.access, multipart("file", "image/png", &image)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    assert_eq!(stored_files(app), 1);
    (id, image)
}

#[sqlx::test]
async fn avatars_are_streamed_in_bounded_chunks(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, image) = user_with_avatar(&app, 1024 * 1024).await;
    let request = Request::get(format!("/api/v1/users/{id}/avatar")).body(Body::empty()).unwrap();
    let response = app.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_LENGTH], image.len().to_string().as_str());
    let mut body = response.into_body();
    let (mut received, mut frames) = (Vec::new(), 0);
    while let Some(frame) = body.frame().await {
        let data = frame.unwrap().into_data().unwrap();
        assert!(data.len() <= CHUNK_BYTES, "a frame of {} bytes", data.len());
        received.extend_from_slice(&data);
        frames += 1;
    }
    assert!(frames > 1, "the file came in one piece");
    assert!(received == image, "the bytes served are the bytes uploaded");
}

/// Serves `router` with one connection slot and a one-second write timeout.
async fn serve_one_at_a_time(app: &TestApp) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let settings = ServeSettings {
        header_read_timeout: Duration::from_secs(10),
        write_timeout: Duration::from_secs(1),
        shutdown_timeout: Duration::from_secs(1),
        max_connections: 1,
    };
    tokio::spawn(serve(listener, app.router(), settings, std::future::pending()));
    address
}

#[sqlx::test]
async fn a_client_that_never_reads_is_cut_off_and_frees_its_slot(pool: DbPool) {
    let settings = [("UPLOAD_LIMIT_BYTES", "16777216")];
    let app = TestApp::with(pool, &settings, Vec::new()).await;
    let (id, image) = user_with_avatar(&app, 12 * 1024 * 1024).await;
    let address = serve_one_at_a_time(&app).await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(address).await.unwrap();
    let request = format!("GET /api/v1/users/{id}/avatar HTTP/1.1\r\nHost: test\r\n\r\n");
    stalled.write_all(request.as_bytes()).await.unwrap();
    // The stalled client holds the only slot: the next client is served once it is cut off.
    let next = tokio::time::timeout(Duration::from_secs(30), get_status(address, "/health/live"));
    let status = next.await.expect("the stalled client still holds the only connection slot");
    assert_eq!(status.unwrap(), "HTTP/1.1 200 OK");
    let mut received = Vec::new();
    let drained = tokio::time::timeout(Duration::from_secs(30), stalled.read_to_end(&mut received));
    drained.await.expect("the stalled connection was closed").ok();
    assert!(received.len() < image.len(), "the server gave up before sending everything");
}
