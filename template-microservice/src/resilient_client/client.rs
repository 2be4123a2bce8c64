//! The innermost service: one HTTP/1 exchange with hyper's pooled client, the response body
//! read in full (up to a limit). Plain HTTP: put TLS in a sidecar, or give [`HttpSend`] a TLS
//! connector.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttemptError {
    /// No answer within the attempt's deadline.
    #[error("the attempt timed out")]
    TimedOut,
    /// The connection or the HTTP exchange failed.
    #[error("{0}")]
    Transport(String),
}

impl AttemptError {
    /// Maps the errors of the per-attempt stack (timeout or client) into this type.
    #[must_use]
    pub fn from_boxed(error: tower::BoxError) -> Self {
        if error.is::<tower::timeout::error::Elapsed>() {
            return Self::TimedOut;
        }
        match error.downcast::<Self>() {
            Ok(attempt) => *attempt,
            Err(other) => Self::Transport(other.to_string()),
        }
    }
}

/// Largest response body read, in bytes.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// A request with its body in memory, so that it can be sent again.
pub type HttpRequest = http::Request<Full<Bytes>>;
/// A response with its body in memory.
pub type HttpResponse = http::Response<Bytes>;

/// Sends requests with a pooled HTTP/1 client.
#[derive(Debug, Clone)]
pub struct HttpSend {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl HttpSend {
    /// A client with its own connection pool.
    #[must_use]
    pub fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Self { client }
    }
}

impl Default for HttpSend {
    fn default() -> Self {
        Self::new()
    }
}

impl tower::Service<HttpRequest> for HttpSend {
    type Response = HttpResponse;
    type Error = AttemptError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, AttemptError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let sent = self.client.request(request);
        Box::pin(async move {
            let response =
                sent.await.map_err(|error| AttemptError::Transport(error.to_string()))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_RESPONSE_BYTES).collect().await;
            let body = body.map_err(|error| AttemptError::Transport(error.to_string()))?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        })
    }
}
