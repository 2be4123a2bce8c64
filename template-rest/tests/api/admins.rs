//! Administrator powers come from the database, not from an old token: a demoted or deleted
//! administrator loses them at once, the last administrator stays, and the seed never adopts an
//! account it did not create.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt as _;

use crate::service::app;
use crate::service::repositories::pool::DbPool;
use crate::support::{PASSWORD, TestApp, Tokens, test_config};

async fn id_of(app: &TestApp, tokens: &Tokens) -> String {
    let me = app.get("/api/v1/users/me", &tokens.access).await;
    me.body["id"].as_str().unwrap().to_owned()
}

async fn set_role(app: &TestApp, id: &str, token: &str, role: &str) -> StatusCode {
    app.patch(&format!("/api/v1/users/{id}"), token, json!({"role": role})).await.status
}

/// A second administrator, promoted by the seeded one: their id and a token saying `admin`.
async fn second_admin(app: &TestApp, email: &str) -> (String, Tokens) {
    let (id, _) = app.user(email).await;
    let root = app.admin().await;
    assert_eq!(set_role(app, &id, &root.access, "admin").await, StatusCode::OK);
    (id, app.login(email, PASSWORD).await)
}

async fn admin_count(pool: &DbPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_demoted_admin_loses_admin_powers_at_once(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (bob_id, bob) = second_admin(&app, "bob@example.com").await;
    let (other_id, _) = app.user("other@example.com").await;
    assert_eq!(app.get("/api/v1/users", &bob.access).await.status, StatusCode::OK);
    let root = app.admin().await;
    assert_eq!(set_role(&app, &bob_id, &root.access, "user").await, StatusCode::OK);
    app.get("/api/v1/users", &bob.access).await.problem(StatusCode::FORBIDDEN);
    let hidden = app.get(&format!("/api/v1/users/{other_id}"), &bob.access).await;
    hidden.problem(StatusCode::NOT_FOUND);
    let bob_uri = format!("/api/v1/users/{bob_id}");
    let promote_self = app.patch(&bob_uri, &bob.access, json!({"role": "admin"})).await;
    promote_self.problem(StatusCode::FORBIDDEN);
    let delete = app.request(Method::DELETE, &format!("/api/v1/users/{other_id}"));
    delete.token(&bob.access).send().await.problem(StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_deleted_admin_loses_admin_powers_at_once(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (bob_id, bob) = second_admin(&app, "bob@example.com").await;
    let root = app.admin().await;
    let deleted =
        app.request(Method::DELETE, &format!("/api/v1/users/{bob_id}")).token(&root.access);
    assert_eq!(deleted.send().await.status, StatusCode::NO_CONTENT);
    app.get("/api/v1/users", &bob.access).await.problem(StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_last_admin_can_be_neither_demoted_nor_deleted(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let root = app.admin().await;
    let root_id = id_of(&app, &root).await;
    let root_uri = format!("/api/v1/users/{root_id}");
    let demoted = app.patch(&root_uri, &root.access, json!({"role": "user"})).await;
    assert!(demoted.problem(StatusCode::CONFLICT)["detail"].as_str().unwrap().contains("last"));
    let deleted = app.request(Method::DELETE, &format!("/api/v1/users/{root_id}"));
    deleted.token(&root.access).send().await.problem(StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/users", &root.access).await.status, StatusCode::OK);
    let (bob_id, _) = second_admin(&app, "bob@example.com").await;
    assert_eq!(set_role(&app, &root_id, &root.access, "user").await, StatusCode::OK);
    assert_eq!(admin_count(&app.pool).await, 1);
    let no_longer_admin = set_role(&app, &bob_id, &root.access, "user").await;
    assert_eq!(no_longer_admin, StatusCode::NOT_FOUND, "as for any user, another id is hidden");
}

/// `PATCH /users/{id}` with `{"role": "user"}`, on a task of its own.
fn demote(app: &TestApp, id: &str, token: &str) -> tokio::task::JoinHandle<StatusCode> {
    let request = Request::builder()
        .method(Method::PATCH)
        .uri(format!("/api/v1/users/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"role":"user"}"#))
        .unwrap();
    let router = app.router();
    tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
}

#[sqlx::test]
async fn two_admins_demoting_each_other_at_once_leave_one(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let root = app.admin().await;
    let root_id = id_of(&app, &root).await;
    let (bob_id, bob) = second_admin(&app, "bob@example.com").await;
    for round in 0..10 {
        let (first, second) =
            (demote(&app, &bob_id, &root.access), demote(&app, &root_id, &bob.access));
        let statuses = [first.await.unwrap(), second.await.unwrap()];
        assert_eq!(admin_count(&app.pool).await, 1, "round {round}: {statuses:?}");
        assert!(statuses.contains(&StatusCode::OK), "round {round}: {statuses:?}");
        let survivor = if statuses[0] == StatusCode::OK { &root } else { &bob };
        let demoted = if statuses[0] == StatusCode::OK { &bob_id } else { &root_id };
        assert_eq!(set_role(&app, demoted, &survivor.access, "admin").await, StatusCode::OK);
    }
}

#[sqlx::test]
async fn the_admin_seed_refuses_an_existing_account_that_is_not_an_admin(pool: DbPool) {
    let app = TestApp::new(pool.clone()).await;
    app.register("boss@example.com", "Not The Boss").await;
    let config = test_config(&[
        ("ADMIN_EMAIL", "Boss@Example.com"),
        ("ADMIN_PASSWORD", "a long admin password"),
    ]);
    let error = app::prepare(&config, pool).await.err().expect("startup must stop").to_string();
    assert!(error.contains("ADMIN_EMAIL") && error.contains("not an administrator"), "{error}");
    assert_eq!(admin_count(&app.pool).await, 1, "nobody was promoted");
}
