//! The real binary: it starts, becomes ready, and on SIGTERM finishes the requests in flight
//! before exiting with status 0.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::faults::database_url;
use crate::server::get_status;
use crate::service::repositories::pool::DbPool;
use crate::support::SECRET;

/// The service binary that cargo built for these tests.
const BINARY: &str = env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")));

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn spawn_service(pool: &DbPool, port: u16) -> Child {
    spawn_service_with(pool, port, &[])
}

/// The service binary on `port`, with `settings` added to the test environment.
pub fn spawn_service_with(pool: &DbPool, port: u16, settings: &[(&str, &str)]) -> Child {
    let uploads = std::env::temp_dir().join(format!("uploads-{port}"));
    let mut command = Command::new(BINARY);
    // A clean environment, so that no setting of the test run leaks in; coverage runs still
    // collect the child's profile.
    command.env_clear();
    if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
        command.env("LLVM_PROFILE_FILE", profile);
    }
    command
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("DATABASE_URL", database_url(pool))
        .env("JWT_SECRET", SECRET)
        .env("UPLOAD_DIR", uploads)
        .env("LOGIN_RATE_LIMIT_BURST", "1000")
        .env("LOGIN_FAILURES_BEFORE_DELAY", "1000")
        .env("RUST_LOG", "warn")
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .expect("the service binary starts")
}

pub async fn wait_until_ready(address: SocketAddr) {
    for _ in 0..300 {
        if get_status(address, "/health/ready").await.is_ok_and(|status| status.contains("200")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service never became ready");
}

/// A login that takes a while (argon2id at the production cost); returns the status line.
async fn slow_login(address: SocketAddr) -> std::io::Result<String> {
    let body = r#"{"email":"nobody@example.com","password":"a wrong password"}"#;
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response.lines().next().unwrap_or_default().to_owned())
}

#[sqlx::test]
async fn sigterm_under_load_drops_no_request_in_flight(pool: DbPool) {
    let port = free_port();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = spawn_service(&pool, port);
    wait_until_ready(address).await;
    let in_flight: Vec<_> = (0..12).map(|_| tokio::spawn(slow_login(address))).collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let signal = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(signal.success());
    let mut failed = Vec::new();
    for request in in_flight {
        let status = request.await.unwrap();
        if !status.as_ref().is_ok_and(|line| line.starts_with("HTTP/1.1 401")) {
            failed.push(format!("{status:?}"));
        }
    }
    assert_eq!(failed, Vec::<String>::new(), "requests in flight must complete");
    let exit = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert!(exit.success(), "exit status {exit}");
    assert!(TcpStream::connect(address).await.is_err(), "nothing listens after exit");
}
