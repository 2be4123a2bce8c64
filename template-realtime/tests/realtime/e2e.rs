//! The demo page in headless Chromium: two pages join one room, one sends a message, both
//! show it. Chromium is driven over the `DevTools` protocol with the WebSocket client the other
//! tests use, so no browser-automation crate is needed. Set `CHROME` to choose the browser.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::client::PATIENCE;
use crate::support::{TestNode, random_suffix, token};

#[tokio::test]
async fn two_pages_chat_through_the_demo_page() {
    let node = TestNode::start(&[]).await;
    let mut browser = Browser::launch().await;
    let mut pages = Vec::new();
    for user in ["ann", "bob"] {
        let page = browser.open(&format!("{}#token={}&room=e2e", node.url("/"), token(user))).await;
        browser.wait_for(&page, "document.getElementById('connect') !== null").await;
        browser.eval(&page, "document.getElementById('connect').click()").await;
        browser
            .wait_for(&page, "document.getElementById('status').textContent === 'joined e2e'")
            .await;
        pages.push(page);
    }
    let send = "document.getElementById('text').value = 'hello from chromium';
                document.getElementById('send').click()";
    browser.eval(&pages[0], send).await;
    for page in &pages {
        let shown =
            "document.getElementById('log').textContent.includes('ann: hello from chromium')";
        browser.wait_for(page, shown).await;
    }
}

/// A headless Chromium and its `DevTools` connection.
struct Browser {
    process: Child,
    profile: PathBuf,
    devtools: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Browser {
    async fn launch() -> Self {
        let profile = std::env::temp_dir().join(format!("realtime-e2e-{}", random_suffix()));
        let mut process = Command::new(executable())
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        let address = devtools_address(process.stderr.take().expect("stderr"));
        let (devtools, _) = tokio_tungstenite::connect_async(address).await.expect("DevTools");
        Self { process, profile, devtools, next_id: 0 }
    }

    /// Opens `url` in a new page; returns the page's session.
    async fn open(&mut self, url: &str) -> String {
        let target = self.call("Target.createTarget", json!({"url": url}), None).await;
        let attach = json!({"targetId": target["targetId"], "flatten": true});
        let session = self.call("Target.attachToTarget", attach, None).await;
        session["sessionId"].as_str().expect("session").to_owned()
    }

    async fn eval(&mut self, session: &str, expression: &str) -> Value {
        let params = json!({"expression": expression, "returnByValue": true, "awaitPromise": true});
        let result = self.call("Runtime.evaluate", params, Some(session)).await;
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    /// Polls `condition` until it is true; fails after [`PATIENCE`] twice over.
    async fn wait_for(&mut self, session: &str, condition: &str) {
        for _ in 0..200 {
            if self.eval(session, condition).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = self.eval(session, "document.body.innerText").await;
        panic!("never true: {condition}\npage: {log}");
    }

    async fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let mut command = json!({"id": self.next_id, "method": method, "params": params});
        if let Some(session) = session {
            command["sessionId"] = json!(session);
        }
        self.devtools.send(Message::text(command.to_string())).await.expect("DevTools send");
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.devtools.next())
                .await
                .expect("DevTools answers");
            let Some(Ok(Message::Text(text))) = frame else { continue };
            let reply: Value = serde_json::from_str(&text).expect("JSON");
            if reply["id"] == self.next_id {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Flags for a quiet headless Chromium that runs as root on a machine without network.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--remote-debugging-port=0",
];

/// `CHROME`, or the first Chromium or Chrome on the `PATH`.
fn executable() -> String {
    if let Ok(chrome) = std::env::var("CHROME") {
        return chrome;
    }
    let candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let found =
        candidates.into_iter().find(|name| Command::new(name).arg("--version").output().is_ok());
    found.expect("install Chromium (Debian: apt-get install chromium) or set CHROME").to_owned()
}

/// Reads Chromium's `DevTools listening on ws://…` line.
fn devtools_address(stderr: std::process::ChildStderr) -> String {
    let mut lines = BufReader::new(stderr).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("DevTools listening on ").map(str::to_owned))
        .expect("Chromium prints its DevTools address");
    std::thread::spawn(move || lines.for_each(drop));
    address
}
