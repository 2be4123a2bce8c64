//! The retry policy: what is retried, how often, and within which budget.

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::Full;
use tower::retry::Policy as _;

use super::{AttemptError, HttpRequest, HttpResponse, IDEMPOTENCY_KEY, RetryPolicy, RetrySettings};

fn config(budget_min_per_sec: u32) -> RetrySettings {
    RetrySettings {
        max_attempts: 3,
        backoff_min: std::time::Duration::from_millis(1),
        backoff_max: std::time::Duration::from_millis(2),
        jitter: 0.5,
        budget_percent: 0.0,
        budget_min_per_sec,
    }
}

fn request(method: Method, key: bool) -> HttpRequest {
    let mut builder = http::Request::builder().method(method).uri("http://inventory/reservations");
    if key {
        builder = builder.header(IDEMPOTENCY_KEY, "order-1");
    }
    builder.body(Full::new(Bytes::from_static(b"{}"))).expect("request")
}

fn response(code: StatusCode) -> HttpResponse {
    http::Response::builder().status(code).body(Bytes::new()).expect("response")
}

/// How many retries the policy grants for `request` when every attempt ends in `outcome`.
fn retries(
    policy: &mut RetryPolicy,
    mut request: HttpRequest,
    outcome: &dyn Fn() -> Result<HttpResponse, circuit_breaker::Error<AttemptError>>,
) -> usize {
    let mut granted = 0;
    while policy.retry(&mut request, &mut outcome()).is_some() {
        granted += 1;
        assert!(granted < 10, "the policy must stop");
    }
    granted
}

#[tokio::test]
async fn failures_of_idempotent_requests_are_retried_up_to_the_limit() {
    let mut policy = RetryPolicy::new("test", &config(100)).expect("valid");
    let server_error = || Ok(response(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(retries(&mut policy.clone(), request(Method::POST, true), &server_error), 2);
    assert_eq!(retries(&mut policy.clone(), request(Method::GET, false), &server_error), 2);
    let timeout = || Err(circuit_breaker::Error::Inner(AttemptError::TimedOut));
    assert_eq!(retries(&mut policy, request(Method::PUT, false), &timeout), 2);
}

#[tokio::test]
async fn answers_rejections_and_unsafe_requests_are_not_retried() {
    let policy = RetryPolicy::new("test", &config(100)).expect("valid");
    let server_error = || Ok(response(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(retries(&mut policy.clone(), request(Method::POST, false), &server_error), 0);
    let conflict = || Ok(response(StatusCode::CONFLICT));
    assert_eq!(retries(&mut policy.clone(), request(Method::POST, true), &conflict), 0);
    let rejected = || {
        Err(circuit_breaker::Error::Rejected(circuit_breaker::Rejected {
            state: circuit_breaker::State::Open,
            retry_after: std::time::Duration::from_secs(1),
        }))
    };
    assert_eq!(retries(&mut policy.clone(), request(Method::GET, false), &rejected), 0);
}

#[tokio::test]
async fn an_empty_budget_stops_retries() {
    let policy = RetryPolicy::new("test", &config(0)).expect("valid");
    let server_error = || Ok(response(StatusCode::BAD_GATEWAY));
    assert_eq!(retries(&mut policy.clone(), request(Method::GET, false), &server_error), 0);
}

#[test]
fn requests_are_cloned_whole() {
    let mut policy = RetryPolicy::new("test", &config(1)).expect("valid");
    let original = request(Method::POST, true);
    let copy = policy.clone_request(&original).expect("clonable");
    assert_eq!(copy.method(), original.method());
    assert_eq!(copy.uri(), original.uri());
    assert_eq!(copy.headers(), original.headers());
}

#[test]
fn attempt_errors_keep_their_kind() {
    let elapsed: tower::BoxError = Box::new(tower::timeout::error::Elapsed::new());
    assert_eq!(AttemptError::from_boxed(elapsed), AttemptError::TimedOut);
    let own: tower::BoxError = Box::new(AttemptError::Transport("reset".into()));
    assert_eq!(AttemptError::from_boxed(own), AttemptError::Transport("reset".into()));
    let other: tower::BoxError = "refused".into();
    assert_eq!(AttemptError::from_boxed(other), AttemptError::Transport("refused".into()));
}
