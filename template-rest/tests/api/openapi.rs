//! The OpenAPI document describes every route that is served.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

const ROUTES: [(&str, &str); 16] = [
    ("/api/v1/auth/register", "post"),
    ("/api/v1/auth/login", "post"),
    ("/api/v1/auth/refresh", "post"),
    ("/api/v1/auth/logout", "post"),
    ("/api/v1/users/me", "get"),
    ("/api/v1/users", "get"),
    ("/api/v1/users/{id}", "get"),
    ("/api/v1/users/{id}", "patch"),
    ("/api/v1/users/{id}", "delete"),
    ("/api/v1/users/{id}/password", "put"),
    ("/api/v1/users/{id}/avatar", "put"),
    ("/api/v1/users/{id}/avatar", "get"),
    ("/health/live", "get"),
    ("/health/ready", "get"),
    ("/metrics", "get"),
    ("/.well-known/jwks.json", "get"),
];

#[sqlx::test]
async fn the_document_lists_exactly_the_served_routes(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/openapi.json").send().await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = reply.body["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len());
    for (path, method) in ROUTES {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(operation["responses"].as_object().is_some_and(|map| !map.is_empty()));
    }
}

#[sqlx::test]
async fn protected_routes_declare_bearer_security(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/openapi.json").send().await;
    let me = &reply.body["paths"]["/api/v1/users/me"]["get"];
    assert_eq!(me["security"][0]["bearer"], Value::Array(vec![]));
    assert_eq!(reply.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

#[sqlx::test]
async fn swagger_ui_is_served(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/docs/").send().await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.as_str().unwrap_or_default().contains("swagger"), "{}", reply.body);
}

#[sqlx::test]
async fn every_operation_lists_the_errors_the_middleware_can_give(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/openapi.json").send().await;
    for (path, method) in ROUTES {
        let operation = &reply.body["paths"][path][method];
        let responses = operation["responses"].as_object().unwrap();
        for status in ["429", "500", "503"] {
            assert!(responses.contains_key(status), "{method} {path} lacks {status}");
        }
        if operation.get("requestBody").is_some() {
            for status in ["400", "413", "415"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
        }
    }
    let problem = &reply.body["components"]["responses"]["TooManyRequests"];
    assert!(problem["content"]["application/problem+json"].is_object(), "{problem}");
}

#[sqlx::test]
async fn the_avatar_upload_body_is_one_file_part_and_nothing_else(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let reply = app.request(Method::GET, "/openapi.json").send().await;
    let body = &reply.body["paths"]["/api/v1/users/{id}/avatar"]["put"]["requestBody"];
    let form = &body["content"]["multipart/form-data"];
    let images = "image/png, image/jpeg, image/webp";
    assert_eq!(form["encoding"]["file"]["contentType"], images, "{form}");
    let mut schema = &form["schema"];
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        schema = &reply.body["components"]["schemas"][name];
    }
    assert_eq!(schema["additionalProperties"], Value::Bool(false), "{schema}");
    assert_eq!(schema["required"], serde_json::json!(["file"]), "{schema}");
    assert_eq!(schema["properties"].as_object().unwrap().len(), 1, "{schema}");
    assert_eq!(schema["properties"]["file"]["format"], "binary", "{schema}");
}
