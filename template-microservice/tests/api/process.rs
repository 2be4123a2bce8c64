//! The binary itself: a configuration error exits with status 2 and names the variable;
//! SIGTERM makes a running instance drain and exit cleanly.

use std::process::Command;
use std::time::Duration;

use crate::support::ServiceProcess;

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
    let mut service = ServiceProcess::start(&[]).await;
    let pid = service.child.id().expect("running").to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(signalled.success());
    let exited = tokio::time::timeout(Duration::from_secs(30), service.child.wait()).await;
    assert!(exited.expect("exits in time").expect("status").success());
}
