//! The `ratelimit` module answers its 429 itself, since it cannot name the error model: the
//! answer must be the one `AppError::TooManyRequests` gives, byte for byte.

use std::time::Duration;

use axum::body::to_bytes;
use axum::response::{IntoResponse, Response};

use crate::problem::AppError;
use crate::ratelimit::TooManyRequests;

async fn parts(response: Response) -> (String, Vec<(String, Vec<u8>)>, Vec<u8>) {
    let status = response.status().to_string();
    let mut headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect();
    headers.sort();
    let body = to_bytes(response.into_body(), 4_096).await.unwrap().to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn the_modules_429_is_the_error_models_byte_for_byte() {
    for retry_after in
        [Duration::from_millis(1), Duration::from_millis(2_500), Duration::from_secs(90)]
    {
        let module = parts(TooManyRequests { retry_after }.into_response()).await;
        let model = parts(AppError::TooManyRequests { retry_after }.into_response()).await;
        assert_eq!(module, model, "{retry_after:?}");
    }
}

#[test]
fn a_limit_reached_in_a_service_is_the_error_models_429() {
    let retry_after = Duration::from_secs(3);
    let error = AppError::from(TooManyRequests { retry_after });
    assert!(
        matches!(error, AppError::TooManyRequests { retry_after: wait } if wait == retry_after)
    );
}
