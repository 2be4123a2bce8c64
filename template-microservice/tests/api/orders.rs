//! The HTTP API of orders: placing, reading, listing, and every failure status.

use hyper::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Mode, TestApp, request, token};

#[tokio::test]
async fn an_order_is_placed_then_read_and_listed_by_its_owner_only() {
    let mut app = TestApp::spawn().await;
    let (owner, stranger) = (Uuid::now_v7(), Uuid::now_v7());
    let placed = app.place_order(owner).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let id = placed.body["id"].as_str().expect("id").to_owned();
    assert_eq!(placed.headers["location"], format!("/api/v1/orders/{id}"));
    assert_eq!(placed.body["status"], "pending");
    assert_eq!(placed.body["items"], json!([{ "sku": "ABC-1", "quantity": 2 }]));
    assert!(placed.body["created_at"].is_string());
    let path = format!("/api/v1/orders/{id}");
    let read = app.request(Method::GET, &path, Some(&token(owner))).await;
    assert_eq!((read.status, &read.body["id"]), (StatusCode::OK, &placed.body["id"]));
    let hidden = app.request(Method::GET, &path, Some(&token(stranger))).await;
    hidden.problem(StatusCode::NOT_FOUND);
    app.place_order(owner).await;
    let list = app.request(Method::GET, "/api/v1/orders?per_page=1", Some(&token(owner))).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["meta"], json!({ "page": 1, "per_page": 1, "total": 2 }));
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(1));
    let empty = app.request(Method::GET, "/api/v1/orders", Some(&token(stranger))).await;
    assert_eq!(empty.body["meta"]["total"], 0);
    app.stop().await;
}

#[tokio::test]
async fn out_of_stock_is_a_409_and_stores_nothing() {
    let mut app = TestApp::spawn().await;
    app.inventory.set_mode(Mode::OutOfStock);
    let refused = app.place_order(Uuid::now_v7()).await;
    refused.problem(StatusCode::CONFLICT);
    assert_eq!(app.db.count("SELECT count(*) FROM orders").await, 0);
    assert_eq!(app.db.count("SELECT count(*) FROM outbox").await, 0);
    assert_eq!(app.inventory.calls(), 1, "a 409 is an answer, not retried");
    app.stop().await;
}

#[tokio::test]
async fn invalid_orders_are_422_naming_the_field() {
    let mut app = TestApp::spawn().await;
    let user = token(Uuid::now_v7());
    let cases = [
        (json!({ "items": [] }), "items"),
        (json!({ "items": [{ "sku": "a b", "quantity": 1 }] }), "items[0].sku"),
        (json!({ "items": [{ "sku": "A", "quantity": 0 }] }), "items[0].quantity"),
        (json!({ "items": [{ "sku": "A", "quantity": "x" }] }), "items[0].quantity"),
        (json!({ "items": [], "extra": 1 }), "extra"),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/v1/orders", Some(&user), &body).await;
        let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn missing_tokens_and_bad_bodies_are_problems() {
    let mut app = TestApp::spawn().await;
    let user = token(Uuid::now_v7());
    let url = format!("http://{}/api/v1/orders", app.address);
    let valid = json!({ "items": [{ "sku": "ABC-1", "quantity": 1 }] });
    app.post("/api/v1/orders", None, &valid).await.problem(StatusCode::UNAUTHORIZED);
    let forged = app.post("/api/v1/orders", Some("not.a.token"), &valid).await;
    forged.problem(StatusCode::UNAUTHORIZED);
    let mut malformed = request(Method::POST, &url, Some(&user), None);
    *malformed.body_mut() = http_body_util::Full::new("{".into());
    malformed.headers_mut().insert("content-type", "application/json".parse().expect("header"));
    app.send(malformed).await.problem(StatusCode::BAD_REQUEST);
    let plain = request(Method::POST, &url, Some(&user), None);
    app.send(plain).await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_ids_methods_and_pages_are_problems() {
    let mut app = TestApp::spawn().await;
    let user = token(Uuid::now_v7());
    let get = |path: &'static str| app.request(Method::GET, path, Some(&user));
    get("/api/v1/nothing").await.problem(StatusCode::NOT_FOUND);
    get("/api/v1/orders/not-a-uuid").await.problem(StatusCode::NOT_FOUND);
    get("/api/v1/orders?page=0").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    get("/api/v1/orders?per_page=101").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    get("/api/v1/orders?sort=x").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = app.request(Method::DELETE, "/api/v1/orders", Some(&user)).await;
    deleted.problem(StatusCode::METHOD_NOT_ALLOWED);
    app.stop().await;
}
