//! A small HTTP client for one thing: fetching the issuer's key set (`JWT_JWKS_URL`).
//!
//! It speaks HTTP/1.1 over hyper, the HTTP library the server already uses, so it adds almost
//! nothing to the build. `http://` serves in-cluster issuers; `https://` is refused at
//! startup (see `config/jwt.rs`): a TLS client (rustls with ring) adds about 30 s of CPU to
//! the first build. The answer must come within [`FETCH_TIMEOUT`], with status 200
//! and a body of at most [`MAX_BODY_BYTES`].

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The longest a fetch may take, connection included.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest key set accepted.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot fetch {url}: {reason}")]
pub struct FetchError {
    url: String,
    reason: String,
}

/// `GET url`, and the body of its 200 answer.
///
/// # Errors
/// When the server cannot be reached in time, answers another status, or sends too much.
pub(crate) async fn get(url: &Uri) -> Result<Bytes, FetchError> {
    let failure = |reason: String| FetchError { url: url.to_string(), reason };
    match tokio::time::timeout(FETCH_TIMEOUT, exchange(url)).await {
        Ok(result) => result.map_err(failure),
        Err(_) => Err(failure(format!("no answer within {FETCH_TIMEOUT:?}"))),
    }
}

async fn exchange(url: &Uri) -> Result<Bytes, String> {
    let (Some(host), Some(authority)) = (url.host(), url.authority()) else {
        return Err("the URL has no host".into());
    };
    let port = url.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host, port)).await.map_err(|error| error.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| error.to_string())?;
    let connection = tokio::spawn(connection);
    let path = url.path_and_query().map_or("/", |path| path.as_str());
    let request = Request::get(path)
        .header(header::HOST, authority.as_str())
        .header(header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|error| error.to_string())?;
    let response = sender.send_request(request).await.map_err(|error| error.to_string())?;
    if response.status() != StatusCode::OK {
        connection.abort();
        return Err(format!("status {}", response.status()));
    }
    let body = Limited::new(response.into_body(), MAX_BODY_BYTES).collect().await;
    connection.abort();
    Ok(body.map_err(|error| error.to_string())?.to_bytes())
}
