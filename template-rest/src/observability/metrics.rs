//! Request metrics: a count and a duration histogram per method, route template and status.
//!
//! No label takes a value a client chose, so no client can grow the number of series: methods
//! outside the standard set are `OTHER`, paths that match no route are `unmatched`, and a
//! matched path is its template (`/api/v1/users/{id}`), never the raw path.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// Records `http_requests_total` and `http_request_duration_seconds`.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method.to_owned()), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: one of the nine standard methods, or `OTHER`.
pub(super) fn method_label(method: &Method) -> &'static str {
    static STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    STANDARD.iter().find(|standard| *standard == method).map_or("OTHER", Method::as_str)
}
