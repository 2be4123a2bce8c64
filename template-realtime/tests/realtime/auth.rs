//! Authentication of the upgrade: header or subprotocol, and 401 before any upgrade.

use axum::http::{Method, StatusCode};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::client::Client;
use crate::http::request;
use crate::support::{TestNode, token};

fn refused_status(result: Result<Client, tungstenite::Error>) -> StatusCode {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the upgrade should be refused"),
    }
}

#[tokio::test]
async fn a_missing_or_invalid_token_is_401_before_the_upgrade() {
    let node = TestNode::start(&[]).await;
    let missing = Client::connect_with(&node, "x-nothing", "1").await;
    assert_eq!(refused_status(missing), StatusCode::UNAUTHORIZED);
    let invalid = Client::connect_with(&node, "authorization", "Bearer not.a.token").await;
    assert_eq!(refused_status(invalid), StatusCode::UNAUTHORIZED);
    let foreign = format!("Bearer {}", token("ann").replace('.', "x."));
    assert_eq!(
        refused_status(Client::connect_with(&node, "authorization", &foreign).await),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn browsers_pass_the_token_as_a_subprotocol_and_get_bearer_back() {
    let node = TestNode::start(&[]).await;
    let mut request = format!("ws://{}/ws", node.address).into_client_request().unwrap();
    let protocols = format!("bearer, {}", token("ann"));
    request.headers_mut().insert("sec-websocket-protocol", protocols.parse().unwrap());
    let (_, response) = tokio_tungstenite::connect_async(request).await.expect("upgrade");
    assert_eq!(response.headers()["sec-websocket-protocol"], "bearer");
}

#[tokio::test]
async fn refusals_are_problem_documents() {
    let node = TestNode::start(&[]).await;
    let reply = request(&node, Method::GET, "/ws", &[]).await;
    let body = reply.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    assert!(body["detail"].as_str().unwrap().contains("Bearer"));
    let authorization = format!("Bearer {}", token("ann"));
    let not_an_upgrade =
        request(&node, Method::GET, "/ws", &[("authorization", &authorization)]).await;
    assert!(not_an_upgrade.status.is_client_error());
    assert_eq!(not_an_upgrade.headers["content-type"], "application/problem+json");
}
