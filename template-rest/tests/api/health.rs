//! Liveness and readiness.

use axum::http::{Method, StatusCode, header};

use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

#[sqlx::test]
async fn live_and_ready_answer_200(pool: DbPool) {
    let app = TestApp::new(pool).await;
    for path in ["/health/live", "/health/ready"] {
        let reply = app.request(Method::GET, path).send().await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body["status"], "ok");
    }
}

#[sqlx::test]
async fn ready_turns_503_when_the_database_is_gone(pool: DbPool) {
    let app = TestApp::new(pool).await;
    app.pool.close().await;
    let reply = app.request(Method::GET, "/health/ready").send().await;
    reply.problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    let live = app.request(Method::GET, "/health/live").send().await;
    assert_eq!(live.status, StatusCode::OK);
}

#[sqlx::test]
async fn every_response_carries_a_request_id(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/health/live").send().await;
    let id = reply.headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[sqlx::test]
async fn ready_turns_503_as_soon_as_shutdown_begins(pool: DbPool) {
    let app = TestApp::new(pool).await;
    assert_eq!(app.request(Method::GET, "/health/ready").send().await.status, StatusCode::OK);
    app.shutdown.start_draining();
    app.request(Method::GET, "/health/ready").send().await.problem(StatusCode::SERVICE_UNAVAILABLE);
    let live = app.request(Method::GET, "/health/live").send().await;
    assert_eq!(live.status, StatusCode::OK, "still alive while draining");
}
