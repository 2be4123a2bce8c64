//! Heartbeats and shutdown: silent peers are dropped and reported gone; on shutdown every
//! client gets 1001, new upgrades and readiness get 503, and the process exits in time.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::client::Client;
use crate::http::get;
use crate::service::http::router;
use crate::support::{SECRET, TestNode, token};

#[tokio::test]
async fn a_silent_peer_is_dropped_and_reported_gone() {
    let node =
        TestNode::start(&[("HEARTBEAT_INTERVAL_MS", "200"), ("HEARTBEAT_TIMEOUT_MS", "1000")])
            .await;
    let mut watcher = Client::connect(&node, "watcher").await;
    watcher.join("quiet").await;
    let mut silent = Client::connect(&node, "silent").await;
    silent.join("quiet").await;
    assert_eq!(watcher.presence_of("silent").await["event"], "joined");
    // `silent` is never read again, so it never answers the server's pings.
    assert_eq!(watcher.presence_of("silent").await["event"], "left");
    let presence = get(&node, "/rooms/quiet/presence", Some(&token("watcher"))).await;
    assert_eq!(presence.body["users"], json!(["watcher"]));
    drop(silent);
}

#[tokio::test]
async fn shutdown_closes_every_session_with_1001_and_stops() {
    let node = TestNode::start(&[]).await;
    let mut ann = Client::connect(&node, "ann").await;
    ann.join("closing").await;
    let state = node.state.clone();
    node.shut_down().await;
    assert_eq!(ann.closed().await, Some(1001));
    assert_eq!(state.connections.open(), 0);
}

#[tokio::test]
async fn while_draining_upgrades_and_readiness_get_503() {
    let node = TestNode::start(&[]).await;
    node.state.shutdown.start_draining();
    let request = |path: &str, authorization: bool| {
        let mut builder = axum::http::Request::builder().method(Method::GET).uri(path);
        if authorization {
            builder = builder.header("authorization", format!("Bearer {}", token("ann")));
        }
        builder.body(axum::body::Body::empty()).unwrap()
    };
    for (path, authorization) in [("/ws", true), ("/health/ready", false)] {
        let response =
            router(node.state.clone()).oneshot(request(path, authorization)).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(response.headers().contains_key("retry-after"));
    }
}

/// The real binary: SIGTERM closes the session with 1001 and the process exits 0, in time.
#[tokio::test]
async fn the_process_exits_cleanly_on_sigterm() {
    let mut child = Command::new(crate::BINARY)
        .envs([
            ("PORT", "0"),
            ("JWT_SECRET", SECRET),
            ("LOG_FORMAT", "json"),
            ("SHUTDOWN_TIMEOUT_SECS", "3"),
        ])
        .envs([("JWT_ISSUER", crate::support::ISSUER), ("JWT_AUDIENCE", crate::support::AUDIENCE)])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let address = listening_address(child.stdout.take().expect("stdout"));
    let mut ann = Client::connect_to(&address, "ann").await;
    ann.join("bye").await;
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert_eq!(ann.closed().await, Some(1001));
    let exit = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert!(exit.success(), "{exit}");
}

fn listening_address(stdout: std::process::ChildStdout) -> String {
    let mut lines = BufReader::new(stdout).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
        .find_map(|line| {
            (line["message"] == "listening").then(|| line["address"].as_str().map(str::to_owned))
        })
        .flatten()
        .expect("the node logs its address");
    std::thread::spawn(move || lines.for_each(drop));
    address
}
