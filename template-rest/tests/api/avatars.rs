//! Avatar uploads: formats recognised from the bytes, size limits, ownership, and nothing
//! written on refusal.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use tower::ServiceExt as _;

use crate::service::repositories::pool::DbPool;
use crate::support::{Reply, TestApp};

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest of a png";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 rest";
const GIF: &[u8] = b"GIF89a\x01\0\x01\0";
const BOUNDARY: &str = "test-boundary-7MA4YWxk";

pub(crate) fn multipart(field: &str, declared_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"me.png\"\r\n\
         Content-Type: {declared_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) async fn upload(app: &TestApp, id: &str, token: &str, body: Vec<u8>) -> Reply {
    let request = Request::put(format!("/api/v1/users/{id}/avatar"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .expect("valid request");
    app.raw(request).await
}

pub(crate) fn stored_files(app: &TestApp) -> usize {
    std::fs::read_dir(&app.upload_dir).map_or(0, Iterator::count)
}

#[sqlx::test]
async fn png_jpeg_and_webp_are_stored_and_served(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("ava@example.com").await;
    for (bytes, content_type) in [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")] {
        let reply = upload(&app, &id, &tokens.access, multipart("file", "text/plain", bytes)).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{content_type}: {}", reply.body);
        let served = app.request(Method::GET, &format!("/api/v1/users/{id}/avatar")).send().await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.headers[header::CONTENT_TYPE], content_type);
        assert_eq!(
            served.body,
            serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
        );
        assert_eq!(stored_files(&app), 1, "the previous avatar is deleted");
    }
}

#[sqlx::test]
async fn other_formats_are_415_whatever_they_claim(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("bo@example.com").await;
    for body in [
        multipart("file", "image/png", GIF),
        multipart("file", "image/png", b"<svg onload=alert(1)>"),
    ] {
        upload(&app, &id, &tokens.access, body).await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let not_multipart = app
        .request(Method::PUT, &format!("/api/v1/users/{id}/avatar"))
        .token(&tokens.access)
        .json(&serde_json::json!({}))
        .send()
        .await;
    not_multipart.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(stored_files(&app), 0, "nothing is written");
    let missing = upload(&app, &id, &tokens.access, multipart("photo", "image/png", PNG)).await;
    assert_eq!(missing.invalid_fields(), ["file", "photo"]);
}

#[sqlx::test]
async fn oversized_uploads_are_413_and_write_nothing(pool: DbPool) {
    let app = TestApp::with(pool, &[("UPLOAD_LIMIT_BYTES", "1024")], Vec::new()).await;
    let (id, tokens) = app.user("cy@example.com").await;
    let mut large = PNG.to_vec();
    large.resize(2048, 0);
    upload(&app, &id, &tokens.access, multipart("file", "image/png", &large))
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE);
    let mut huge = PNG.to_vec();
    huge.resize(64 * 1024, 0);
    upload(&app, &id, &tokens.access, multipart("file", "image/png", &huge))
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stored_files(&app), 0);
}

#[sqlx::test]
async fn only_the_user_uploads_their_avatar(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, _) = app.user("dot@example.com").await;
    let (_, intruder) = app.user("eli@example.com").await;
    upload(&app, &id, &intruder.access, multipart("file", "image/png", PNG))
        .await
        .problem(StatusCode::NOT_FOUND);
    let admin = app.admin().await;
    upload(&app, &id, &admin.access, multipart("file", "image/png", PNG))
        .await
        .problem(StatusCode::FORBIDDEN);
    let none = app.request(Method::GET, &format!("/api/v1/users/{id}/avatar")).send().await;
    none.problem(StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&app), 0);
}

/// `PUT /users/{id}/avatar` on a task of its own, so that uploads overlap.
fn spawn_upload(
    app: &TestApp,
    id: &str,
    token: &str,
    bytes: &[u8],
) -> tokio::task::JoinHandle<StatusCode> {
    let request = Request::put(format!("/api/v1/users/{id}/avatar"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(multipart("file", "image/png", bytes)))
        .expect("valid request");
    let router = app.router();
    tokio::spawn(async move { router.oneshot(request).await.expect("infallible").status() })
}

#[sqlx::test]
async fn concurrent_uploads_for_one_user_leave_exactly_one_file(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("fay@example.com").await;
    for round in 0..3 {
        let uploads: Vec<_> =
            (0..8).map(|_| spawn_upload(&app, &id, &tokens.access, PNG)).collect();
        for upload in uploads {
            assert_eq!(upload.await.unwrap(), StatusCode::NO_CONTENT);
        }
        assert_eq!(stored_files(&app), 1, "round {round}: one avatar, one file");
    }
    let served = app.request(Method::GET, &format!("/api/v1/users/{id}/avatar")).send().await;
    assert_eq!(served.status, StatusCode::OK);
}

#[sqlx::test]
async fn deleting_a_user_deletes_their_avatar(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("gus@example.com").await;
    let (other_id, other) = app.user("hana@example.com").await;
    for (user, token) in [(&id, &tokens.access), (&other_id, &other.access)] {
        let reply = upload(&app, user, token, multipart("file", "image/png", PNG)).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(stored_files(&app), 2);
    let admin = app.admin().await;
    let deleted = app.request(Method::DELETE, &format!("/api/v1/users/{id}")).token(&admin.access);
    assert_eq!(deleted.send().await.status, StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app), 1, "only the other user's avatar is left");
}

/// A multipart body with the given parts, in order.
fn parts(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in parts {
        let disposition =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

#[sqlx::test]
async fn a_body_with_anything_but_one_file_part_is_refused(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let (id, tokens) = app.user("ivy@example.com").await;
    let extra = upload(&app, &id, &tokens.access, parts(&[("file", PNG), ("note", b"hi")])).await;
    assert_eq!(extra.invalid_fields(), ["note"]);
    let first_extra =
        upload(&app, &id, &tokens.access, parts(&[("note", b"hi"), ("file", PNG)])).await;
    assert_eq!(first_extra.invalid_fields(), ["note"]);
    let twice = upload(&app, &id, &tokens.access, parts(&[("file", PNG), ("file", PNG)])).await;
    assert_eq!(twice.invalid_fields(), ["file"]);
    assert_eq!(stored_files(&app), 0, "nothing is written");
}
