//! Test nodes: each runs in its own Tokio runtime, so that a test can kill one outright (its
//! sessions and broker connection vanish at once, as in a crash) while another goes on.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

use crate::service::broker;
use crate::service::config::Config;
use crate::service::http::state::AppState;
use crate::service::rooms::{Broker, Hub};
use crate::service::{app, server};

/// The HMAC secret every test node verifies with.
pub const SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// The issuer of test tokens.
pub const ISSUER: &str = "test-issuer";
/// The audience of test tokens.
pub const AUDIENCE: &str = "test-audience";

/// A running node.
pub struct TestNode {
    pub address: SocketAddr,
    pub state: AppState,
    vars: Vec<(String, String)>,
    runtime: Option<Runtime>,
    served: Option<tokio::task::JoinHandle<()>>,
}

impl TestNode {
    /// A node with its own broker namespace, the test defaults, and `extra` variables (an
    /// empty value removes a default, such as `JWT_SECRET` for a node that verifies with a
    /// public key).
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        let prefix = format!("test-{}", random_suffix());
        let mut vars = base_vars(&prefix);
        vars.retain(|(key, _)| !extra.iter().any(|(name, value)| name == key && value.is_empty()));
        let given = extra.iter().filter(|(_, value)| !value.is_empty());
        vars.extend(given.map(|(key, value)| ((*key).to_owned(), (*value).to_owned())));
        Self::launch(vars, None).await
    }

    /// A second node on the same broker and namespace, with the same variables.
    pub async fn peer(&self) -> Self {
        Self::launch(self.vars.clone(), Some(self.state.rooms.broker().clone())).await
    }

    async fn launch(vars: Vec<(String, String)>, first: Option<Arc<dyn Broker>>) -> Self {
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let config = Config::from_vars(&pairs).expect("test configuration");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (state, listener) = runtime.spawn(prepare(config, first)).await.expect("node starts");
        let address = listener.local_addr().expect("address");
        let served = runtime.spawn(server::serve(listener, state.clone()));
        Self { address, state, vars, runtime: Some(runtime), served: Some(served) }
    }

    /// `http://<address><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Starts a graceful shutdown and waits until the node has stopped.
    pub async fn shut_down(mut self) {
        self.state.shutdown.start_draining();
        let served = self.served.take().expect("still serving");
        served.await.expect("the node stops cleanly");
    }

    /// Stops the node at once, like a crash: no close frames, no goodbyes to the broker.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else { return };
        let broker = self.state.rooms.broker().clone();
        let (done, wait) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let _ = broker.purge().await;
            let _ = done.send(());
        });
        let _ = wait.recv_timeout(Duration::from_secs(5));
        runtime.shutdown_background();
    }
}

async fn prepare(config: Config, first: Option<Arc<dyn Broker>>) -> (AppState, TcpListener) {
    let hub = Arc::new(Hub::new(config.rooms.hub));
    let broker = match first {
        Some(first) => first.peer(hub.clone()).await,
        None => broker::connect(&config.broker, hub.clone()).await,
    };
    let state = app::state(&config, hub, broker.expect("broker")).await.expect("state");
    (state, TcpListener::bind("127.0.0.1:0").await.expect("bind"))
}

fn base_vars(prefix: &str) -> Vec<(String, String)> {
    let vars = [
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
        ("BROKER_PREFIX", prefix),
        ("HEARTBEAT_INTERVAL_MS", "1000"),
        ("HEARTBEAT_TIMEOUT_MS", "5000"),
        ("SHUTDOWN_TIMEOUT_SECS", "5"),
        ("SSE_KEEP_ALIVE_SECS", "1"),
    ];
    vars.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

/// A token for `user`, signed as the test nodes expect (the shape template-rest issues).
pub fn token(user: &str) -> String {
    token_expiring(user, 600)
}

/// A token for `user` that expires `lifetime` seconds from now.
pub fn token_expiring(user: &str, lifetime: u64) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&Header::default(), &claims(user, lifetime), &key).expect("sign")
}

/// The claims template-rest writes, for `user`, expiring `lifetime` seconds from now.
pub fn claims(user: &str, lifetime: u64) -> serde_json::Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({
        "sub": user, "role": "user", "iss": ISSUER, "aud": AUDIENCE,
        "iat": now, "exp": now + lifetime, "jti": random_suffix(),
    })
}

/// `Authorization: Bearer <token for user>`.
pub fn bearer(user: &str) -> String {
    format!("Bearer {}", token(user))
}

/// A unique name for a room or a namespace.
pub fn random_suffix() -> String {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    format!("{:016x}", u64::from_le_bytes(bytes))
}
