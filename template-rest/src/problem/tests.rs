//! The module's own tests: the status of each error, the problem+json body and headers, and
//! what a 500 keeps to itself.

use std::time::Duration;

use axum::body::to_bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{AppError, FieldError, PROBLEM_JSON, Problem, method_not_allowed, route_not_found};

/// Every variant, with the status it must answer.
fn every_variant() -> Vec<(AppError, StatusCode)> {
    let retry_after = Duration::from_secs(3);
    vec![
        (AppError::BadRequest("bad".into()), StatusCode::BAD_REQUEST),
        (AppError::invalid("email", "not an email"), StatusCode::UNPROCESSABLE_ENTITY),
        (AppError::Unauthorized("who are you"), StatusCode::UNAUTHORIZED),
        (AppError::Forbidden("not yours"), StatusCode::FORBIDDEN),
        (AppError::NotFound("no such thing"), StatusCode::NOT_FOUND),
        (AppError::Conflict("taken"), StatusCode::CONFLICT),
        (AppError::PayloadTooLarge("too big"), StatusCode::PAYLOAD_TOO_LARGE),
        (AppError::UnsupportedMediaType("not json"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (AppError::TooManyRequests { retry_after }, StatusCode::TOO_MANY_REQUESTS),
        (AppError::Unavailable { retry_after }, StatusCode::SERVICE_UNAVAILABLE),
        (AppError::internal("boom"), StatusCode::INTERNAL_SERVER_ERROR),
    ]
}

async fn body(response: Response) -> Value {
    let bytes = to_bytes(response.into_body(), 64 * 1024).await.expect("a small body");
    serde_json::from_slice(&bytes).expect("a JSON body")
}

fn header_of(response: &Response, name: header::HeaderName) -> Option<&str> {
    response.headers().get(name).map(|value| value.to_str().expect("an ASCII header"))
}

#[tokio::test]
async fn each_error_answers_its_status_as_problem_json() {
    for (error, status) in every_variant() {
        let name = format!("{error:?}");
        let response = error.into_response();
        assert_eq!(response.status(), status, "{name}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), Some(PROBLEM_JSON), "{name}");
        let problem = body(response).await;
        assert_eq!(problem["status"], status.as_u16(), "{name}");
        assert_eq!(problem["type"], "about:blank", "{name}");
        assert_eq!(problem["title"], status.canonical_reason().expect("a known status"), "{name}");
    }
}

#[tokio::test]
async fn client_errors_say_what_went_wrong() {
    let problem = body(AppError::NotFound("no such user").into_response()).await;
    assert_eq!(problem["detail"], "no such user");
    assert!(problem.get("errors").is_none(), "no empty list: {problem}");
}

#[tokio::test]
async fn validation_lists_each_invalid_field() {
    let errors = vec![FieldError::new("email", "not an email"), FieldError::new("name", "blank")];
    let problem = body(AppError::Validation(errors).into_response()).await;
    let expected = json!([
        {"field": "email", "message": "not an email"},
        {"field": "name", "message": "blank"},
    ]);
    assert_eq!(problem["errors"], expected);
}

#[test]
fn retry_after_is_sent_in_whole_seconds_and_never_zero() {
    let cases = [
        (AppError::TooManyRequests { retry_after: Duration::from_secs(30) }, "30"),
        (AppError::Unavailable { retry_after: Duration::from_millis(2_900) }, "2"),
        (AppError::Unavailable { retry_after: Duration::from_millis(200) }, "1"),
        (AppError::TooManyRequests { retry_after: Duration::ZERO }, "1"),
    ];
    for (error, seconds) in cases {
        let response = error.into_response();
        assert_eq!(header_of(&response, header::RETRY_AFTER), Some(seconds));
    }
}

#[test]
fn only_429_and_503_carry_retry_after() {
    for (error, status) in every_variant() {
        let response = error.into_response();
        let expected = matches!(status.as_u16(), 429 | 503);
        assert_eq!(response.headers().contains_key(header::RETRY_AFTER), expected, "{status}");
    }
}

#[test]
fn unauthorized_asks_for_a_bearer_token() {
    let response = AppError::Unauthorized("missing token").into_response();
    assert_eq!(header_of(&response, header::WWW_AUTHENTICATE), Some("Bearer"));
    let forbidden = AppError::Forbidden("no").into_response();
    assert!(!forbidden.headers().contains_key(header::WWW_AUTHENTICATE));
}

#[tokio::test]
async fn internal_errors_hide_their_cause() {
    let secret = "connection to 10.0.0.7 refused for user admin:hunter2";
    let response = AppError::internal(secret).into_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let problem = body(response).await;
    assert_eq!(problem["detail"], "an unexpected error occurred");
    let text = problem.to_string();
    assert!(!text.contains("hunter2") && !text.contains("10.0.0.7"), "leaked: {text}");
}

#[tokio::test]
async fn fallbacks_answer_404_and_405_as_problems() {
    let cases = [
        (route_not_found().await, StatusCode::NOT_FOUND),
        (method_not_allowed().await, StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (problem, status) in cases {
        let response = problem.into_response();
        assert_eq!(response.status(), status);
        assert_eq!(header_of(&response, header::CONTENT_TYPE), Some(PROBLEM_JSON));
    }
}

#[test]
fn an_invalid_status_falls_back_to_500() {
    let mut problem = Problem::new(StatusCode::CONFLICT, "taken");
    problem.status = 1000;
    assert_eq!(problem.into_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[cfg(feature = "openapi")]
#[test]
fn openapi_responses_are_problem_json_and_document_retry_after() {
    use utoipa::ToResponse as _;
    use utoipa::openapi::RefOr;

    let (name, response) = super::openapi::TooManyRequests::response();
    assert_eq!(name, "TooManyRequests");
    let RefOr::T(response) = response else { panic!("an inline response") };
    assert!(response.content.contains_key(PROBLEM_JSON));
    assert!(response.headers.contains_key("retry-after"));
}
