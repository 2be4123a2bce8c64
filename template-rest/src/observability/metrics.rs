//! Request metrics: a count and a duration histogram per method, route template and status.
//!
//! No label takes a value a client chose, so no client can grow the number of series: methods
//! outside the standard set are `OTHER`, paths that match no route are `unmatched`, and a
//! matched path is its template (`/api/v1/users/{id}`), never the raw path.
//!
//! [`MetricsLayer`] keeps the counter and histogram of each series it has seen, so a request
//! costs a lookup by route and two atomic updates, not the labels and registry lookups of the
//! `metrics` macros.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::MatchedPath;
use axum::http::{Method, StatusCode};
use metrics::{Counter, Histogram};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// The route label of a request that matched no route.
const UNMATCHED: &str = "unmatched";

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

/// The route template, or `unmatched`.
fn route_label(path: Option<&MatchedPath>) -> &str {
    path.map_or(UNMATCHED, MatchedPath::as_str)
}

/// The labels of a request besides its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    method: &'static str,
    status: StatusCode,
}

/// The two metrics of one (method, route, status).
struct Series {
    outcome: Outcome,
    requests: Counter,
    duration: Histogram,
}

impl Series {
    /// Asks the installed recorder for the series' handles.
    fn register(outcome: Outcome, route: &str) -> Self {
        let labels = [
            ("method", outcome.method.to_owned()),
            ("route", route.to_owned()),
            ("status", outcome.status.as_str().to_owned()),
        ];
        let requests = metrics::counter!("http_requests_total", &labels);
        let duration = metrics::histogram!("http_request_duration_seconds", &labels);
        Self { outcome, requests, duration }
    }

    fn record(&self, started: Instant) {
        self.requests.increment(1);
        self.duration.record(started.elapsed().as_secs_f64());
    }
}

/// The series seen so far, by route, then by method and status (a handful per route).
#[derive(Default)]
struct Registry {
    routes: RwLock<HashMap<Box<str>, Vec<Series>>>,
}

impl Registry {
    fn record(&self, outcome: Outcome, route: &str, started: Instant) {
        {
            let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
            let all = routes.get(route).map_or(&[][..], Vec::as_slice);
            if let Some(series) = all.iter().find(|series| series.outcome == outcome) {
                return series.record(started);
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        let all = routes.entry(route.into()).or_default();
        let index = all.iter().position(|series| series.outcome == outcome).unwrap_or_else(|| {
            all.push(Series::register(outcome, route));
            all.len() - 1
        });
        all[index].record(started);
    }
}

/// Records `http_requests_total` and `http_request_duration_seconds` for every request,
/// keeping each series' handles. Apply it with `Router::layer`, so that each request knows its
/// route template. The handles come from the recorder installed when a series is first seen.
#[derive(Clone, Default)]
pub struct MetricsLayer {
    registry: Arc<Registry>,
}

impl std::fmt::Debug for MetricsLayer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("MetricsLayer").finish_non_exhaustive()
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService { inner, registry: self.registry.clone() }
    }
}

/// The service of [`MetricsLayer`].
#[derive(Clone)]
pub struct MetricsService<S> {
    inner: S,
    registry: Arc<Registry>,
}

impl<S, B, R> Service<axum::http::Request<B>> for MetricsService<S>
where
    S: Service<axum::http::Request<B>, Response = axum::http::Response<R>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = MetricsFuture<S::Future>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let method = method_label(request.method());
        let route = request.extensions().get::<MatchedPath>().cloned();
        MetricsFuture {
            inner: self.inner.call(request),
            started: Instant::now(),
            labels: Some((method, route)),
            registry: self.registry.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`MetricsService`]: records once the response is ready.
    pub struct MetricsFuture<F> {
        #[pin]
        inner: F,
        started: Instant,
        labels: Option<(&'static str, Option<MatchedPath>)>,
        registry: Arc<Registry>,
    }
}

impl<F, R, E> Future for MetricsFuture<F>
where
    F: Future<Output = Result<axum::http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(context))?;
        if let Some((method, route)) = this.labels.take() {
            let route = route_label(route.as_ref());
            let outcome = Outcome { method, status: response.status() };
            this.registry.record(outcome, route, *this.started);
        }
        Poll::Ready(Ok(response))
    }
}
