//! The HTTP routes: publishing, presence, probes, metrics, the demo page, and problem+json
//! for every error.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::client::Client;
use crate::http::{get, post, request};
use crate::support::{TestNode, token};

#[tokio::test]
async fn services_publish_over_http_and_members_receive_it() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("alerts").await;
    let authorization = format!("Bearer {}", token("billing-service"));
    let headers = [("authorization", authorization.as_str()), ("content-type", "application/json")];
    let reply = post(&node, "/rooms/alerts/messages", &headers, r#"{"body":{"due":3}}"#).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(
        (&reply.body["type"], &reply.body["id"], &reply.body["from"]),
        (&json!("message"), &json!(1), &json!("billing-service"))
    );
    let message = ann.next_of("message").await;
    assert_eq!(message, reply.body);
}

#[tokio::test]
async fn presence_lists_each_user_once() {
    let node = TestNode::start(&[]).await;
    let (mut ann, mut tab) =
        (Client::connect(&node, "ann").await, Client::connect(&node, "ann").await);
    let mut bob = Client::connect(&node, "bob").await;
    for client in [&mut ann, &mut tab, &mut bob] {
        client.join("party").await;
    }
    let reply = get(&node, "/rooms/party/presence", Some(&token("carol"))).await;
    assert_eq!(reply.body, json!({"room": "party", "users": ["ann", "bob"]}));
    bob.request(json!({"type": "leave", "room": "party"})).await;
    let reply = get(&node, "/rooms/party/presence", Some(&token("carol"))).await;
    assert_eq!(reply.body["users"], json!(["ann"]));
}

#[tokio::test]
async fn publishing_errors_are_problem_documents() {
    let node = TestNode::start(&[("MAX_MESSAGE_BYTES", "64")]).await;
    let authorization = format!("Bearer {}", token("svc"));
    let json = [("authorization", authorization.as_str()), ("content-type", "application/json")];
    let text = [("authorization", authorization.as_str()), ("content-type", "text/plain")];
    let cases = [
        (&json[..], "/rooms/a/messages", "{\"body\":", StatusCode::BAD_REQUEST),
        (&json[..], "/rooms/a/messages", "{\"text\":1}", StatusCode::BAD_REQUEST),
        (&json[..], "/rooms/bad%20name/messages", "{\"body\":1}", StatusCode::BAD_REQUEST),
        (&text[..], "/rooms/a/messages", "{\"body\":1}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (&json[..1], "/rooms/a/messages", "{\"body\":1}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (&json[1..], "/rooms/a/messages", "{\"body\":1}", StatusCode::UNAUTHORIZED),
    ];
    for (headers, path, body, status) in cases {
        post(&node, path, headers, body).await.problem(status);
    }
    let large = format!("{{\"body\":\"{}\"}}", "x".repeat(100));
    post(&node, "/rooms/a/messages", &json, &large).await.problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problem_documents() {
    let node = TestNode::start(&[]).await;
    get(&node, "/nowhere", None).await.problem(StatusCode::NOT_FOUND);
    request(&node, Method::DELETE, "/health/live", &[])
        .await
        .problem(StatusCode::METHOD_NOT_ALLOWED);
    get(&node, "/rooms/a/presence", None).await.problem(StatusCode::UNAUTHORIZED);
    get(&node, "/rooms/bad%20name/presence", Some(&token("ann")))
        .await
        .problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn probes_metrics_and_the_demo_page_answer() {
    let node = TestNode::start(&[]).await;
    for path in ["/health/live", "/health/ready"] {
        assert_eq!(get(&node, path, None).await.body, json!({"status": "ok"}), "{path}");
    }
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("metered").await;
    let metrics = get(&node, "/metrics", None).await;
    let text = metrics.body.as_str().unwrap();
    assert!(
        text.contains("realtime_connections") && text.contains("realtime_messages_in_total"),
        "{text}"
    );
    let page = get(&node, "/", None).await;
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.body.as_str().unwrap().contains("new WebSocket"));
}
