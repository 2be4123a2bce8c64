//! The service binary run as a process of its own, with its own metrics recorder: for the
//! tests of signals and of what `/metrics` shows, which other tests in this binary would
//! otherwise share.

use std::process::Stdio;
use std::time::Duration;

use hyper::StatusCode;

use super::{InventoryStub, NatsServer, SECRET, TestDb, eventually, get_status};

/// A running service process, its port, and its dependencies (kept alive with it). Killed
/// when dropped.
pub struct ServiceProcess {
    pub child: tokio::process::Child,
    pub port: u16,
    pub db: TestDb,
    pub nats: NatsServer,
    _inventory: InventoryStub,
}

/// The variables of a coverage run (`LLVM_PROFILE_FILE`), kept when the rest is cleared.
fn profiling() -> impl Iterator<Item = (String, String)> {
    std::env::vars().filter(|(name, _)| name.starts_with("LLVM_"))
}

impl ServiceProcess {
    /// Starts the binary with `extra` variables and waits until it is ready.
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        let (db, nats, inventory) =
            (TestDb::new().await, NatsServer::start(), InventoryStub::start().await);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = tokio::process::Command::new(crate::BINARY)
            .env_clear()
            .envs(profiling())
            .envs([
                ("DATABASE_URL", db.url.as_str()),
                ("NATS_URL", &nats.url()),
                ("INVENTORY_URL", &inventory.url),
            ])
            .envs([("JWT_SECRET", SECRET), ("PORT", &port.to_string()), ("LOG_FORMAT", "json")])
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starts");
        let ready_url = format!("http://127.0.0.1:{port}/health/ready");
        let ready = eventually(Duration::from_secs(30), || async {
            get_status(&ready_url).await == Some(StatusCode::OK)
        });
        assert!(ready.await, "the service became ready");
        Self { child, port, db, nats, _inventory: inventory }
    }

    /// The URL of `path` on this process.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}
