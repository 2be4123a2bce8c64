//! Fetching the token issuer's key set (`JWT_JWKS_URL`) with the pooled HTTP/1.1 client of
//! [`crate::resilient_client`]: plain HTTP (the build has no TLS client), an answer within
//! [`FETCH_TIMEOUT`], status 200, and a body bounded by the client.

use std::time::Duration;

use async_trait::async_trait;
use http::{StatusCode, header};
use http_body_util::Full;
use tower::ServiceExt as _;

use crate::resilient_client::HttpSend;
use crate::services::tokens::jwks::KeySetFetcher;

/// The longest a fetch may take, connection included.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Fetches key sets over HTTP.
#[derive(Debug, Clone, Default)]
pub(crate) struct HttpKeySetFetcher {
    client: HttpSend,
}

#[async_trait]
impl KeySetFetcher for HttpKeySetFetcher {
    async fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let request = http::Request::get(url)
            .header(header::ACCEPT, "application/json")
            .body(Full::default())
            .map_err(|error| error.to_string())?;
        let sent = tokio::time::timeout(FETCH_TIMEOUT, self.client.clone().oneshot(request));
        let response = sent
            .await
            .map_err(|_| format!("no answer within {FETCH_TIMEOUT:?}"))?
            .map_err(|error| error.to_string())?;
        if response.status() != StatusCode::OK {
            return Err(format!("status {}", response.status()));
        }
        Ok(response.into_body().to_vec())
    }
}
