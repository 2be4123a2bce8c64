//! `/users`: reading, listing, updating and deleting, with the visibility rules.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

#[sqlx::test]
async fn me_returns_the_caller(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("hal@example.com").await;
    let reply = app.get("/api/v1/users/me", &tokens.access).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], id.as_str());
    assert_eq!(reply.body["email"], "hal@example.com");
    assert!(reply.body.get("password_hash").is_none());
}

#[sqlx::test]
async fn reading_someone_else_looks_like_a_missing_user(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (own_id, own) = app.user("ida@example.com").await;
    let (other_id, _) = app.user("jon@example.com").await;
    assert_eq!(
        app.get(&format!("/api/v1/users/{own_id}"), &own.access).await.status,
        StatusCode::OK
    );
    let hidden = app.get(&format!("/api/v1/users/{other_id}"), &own.access).await;
    let missing = app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), &own.access).await;
    hidden.problem(StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, missing.body);
    let admin = app.admin().await;
    assert_eq!(
        app.get(&format!("/api/v1/users/{other_id}"), &admin.access).await.status,
        StatusCode::OK
    );
    let malformed = app.get("/api/v1/users/not-a-uuid", &own.access).await;
    assert_eq!(malformed.invalid_fields(), ["id"]);
}

#[sqlx::test]
async fn only_administrators_list_users(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (_, user) = app.user("kim@example.com").await;
    app.get("/api/v1/users", &user.access).await.problem(StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let reply = app.get("/api/v1/users", &admin.access).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["meta"], json!({"page": 1, "per_page": 20, "total": 2}));
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 2);
}

#[sqlx::test]
async fn lists_paginate_sort_and_search(pool: DbPool) {
    let app = TestApp::new(pool).await;
    for name in ["carol", "alice", "bob"] {
        app.register(&format!("{name}@example.com"), &name.to_uppercase()).await;
    }
    let admin = app.admin().await;
    let page = app.get("/api/v1/users?sort=email&per_page=2&page=2", &admin.access).await;
    assert_eq!(page.body["meta"], json!({"page": 2, "per_page": 2, "total": 4}));
    let emails: Vec<_> =
        page.body["data"].as_array().unwrap().iter().map(|user| user["email"].clone()).collect();
    assert_eq!(emails, [json!("bob@example.com"), json!("carol@example.com")]);
    let descending = app.get("/api/v1/users?sort=-name&per_page=1", &admin.access).await;
    assert_eq!(descending.body["data"][0]["name"], "CAROL");
    let found = app.get("/api/v1/users?q=ALI", &admin.access).await;
    assert_eq!(found.body["meta"]["total"], 1);
    assert_eq!(found.body["data"][0]["email"], "alice@example.com");
    let wildcard = app.get("/api/v1/users?q=%25", &admin.access).await;
    assert_eq!(wildcard.body["meta"]["total"], 0, "% is matched literally");
}

#[sqlx::test]
async fn list_parameters_out_of_range_are_422(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let admin = app.admin().await;
    for (query, field) in [
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("sort=password_hash", "sort"),
        ("page=abc", "page"),
        ("q=", "q"),
    ] {
        let reply = app.get(&format!("/api/v1/users?{query}"), &admin.access).await;
        assert_eq!(reply.invalid_fields(), [field], "{query}");
    }
}

#[sqlx::test]
async fn users_update_their_name_and_email(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("lee@example.com").await;
    let uri = format!("/api/v1/users/{id}");
    let body = json!({"name": "Lee Ann", "email": "LeeAnn@Example.com"});
    let reply = app.patch(&uri, &tokens.access, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["name"], "Lee Ann");
    assert_eq!(reply.body["email"], "leeann@example.com");
    assert_ne!(reply.body["updated_at"], reply.body["created_at"]);
}

#[sqlx::test]
async fn updates_follow_the_rules(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("max@example.com").await;
    let (other, _) = app.user("ned@example.com").await;
    let own = format!("/api/v1/users/{id}");
    let token = tokens.access.as_str();
    app.patch(&own, token, json!({"role": "admin"})).await.problem(StatusCode::FORBIDDEN);
    let unknown = app.patch(&own, token, json!({"password_hash": "x"})).await;
    assert_eq!(unknown.invalid_fields(), ["password_hash"]);
    let taken = app.patch(&own, token, json!({"email": "NED@example.com"})).await;
    taken.problem(StatusCode::CONFLICT);
    let foreign = app.patch(&format!("/api/v1/users/{other}"), token, json!({"name": "X"})).await;
    foreign.problem(StatusCode::NOT_FOUND);
    let admin = app.admin().await;
    let promoted = app.patch(&own, &admin.access, json!({"role": "admin"})).await;
    assert_eq!(promoted.body["role"], "admin");
}

#[sqlx::test]
async fn only_administrators_delete_users(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("oli@example.com").await;
    let uri = format!("/api/v1/users/{id}");
    app.request(Method::DELETE, &uri)
        .token(&tokens.access)
        .send()
        .await
        .problem(StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let deleted = app.request(Method::DELETE, &uri).token(&admin.access).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&uri, &admin.access).await.problem(StatusCode::NOT_FOUND);
    app.request(Method::DELETE, &uri)
        .token(&admin.access)
        .send()
        .await
        .problem(StatusCode::NOT_FOUND);
    app.get("/api/v1/users/me", &tokens.access).await.problem(StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn text_with_a_nul_character_is_422_on_every_database(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let login = json!({"email": "a\0@example.com", "password": "whatever"});
    let reply = app.request(Method::POST, "/api/v1/auth/login").json(&login).send().await;
    assert_eq!(reply.invalid_fields(), ["email"]);
    let register =
        json!({"email": "nul@example.com", "password": "correct horse battery", "name": "A\0"});
    let reply = app.request(Method::POST, "/api/v1/auth/register").json(&register).send().await;
    assert_eq!(reply.invalid_fields(), ["name"]);
    let admin = app.admin().await;
    assert_eq!(app.get("/api/v1/users?q=%00", &admin.access).await.invalid_fields(), ["q"]);
}
