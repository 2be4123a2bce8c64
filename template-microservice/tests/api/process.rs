//! The binary itself: a configuration error exits with status 2 and names the variable;
//! SIGTERM makes a running instance drain and exit cleanly.

use std::process::{Command, Stdio};
use std::time::Duration;

use hyper::StatusCode;

use crate::support::{InventoryStub, NatsServer, SECRET, TestDb, eventually, get_status};

/// The variables of a coverage run (`LLVM_PROFILE_FILE`), kept when the rest is cleared.
fn profiling() -> impl Iterator<Item = (String, String)> {
    std::env::vars().filter(|(name, _)| name.starts_with("LLVM_"))
}

#[test]
fn a_configuration_error_exits_2_naming_the_variable() {
    let output =
        Command::new(crate::BINARY).env_clear().env("JWT_SECRET", "short").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_exits_cleanly() {
    let (db, nats, inventory) =
        (TestDb::new().await, NatsServer::start(), InventoryStub::start().await);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut child = tokio::process::Command::new(crate::BINARY)
        .env_clear()
        .envs(profiling())
        .envs([
            ("DATABASE_URL", db.url.as_str()),
            ("NATS_URL", &nats.url()),
            ("INVENTORY_URL", &inventory.url),
        ])
        .envs([("JWT_SECRET", SECRET), ("PORT", &port.to_string()), ("LOG_FORMAT", "json")])
        .stdout(Stdio::null())
        .spawn()
        .expect("starts");
    let ready_url = format!("http://127.0.0.1:{port}/health/ready");
    let ready = eventually(Duration::from_secs(30), || async {
        get_status(&ready_url).await == Some(StatusCode::OK)
    });
    assert!(ready.await, "the service became ready");
    let pid = child.id().expect("running").to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(signalled.success());
    let exited = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
    assert!(exited.expect("exits in time").expect("status").success());
}
