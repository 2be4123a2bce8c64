//! A `nats-server` with JetStream for one test, on a free port with its own store, that the
//! test can stop and restart. It never touches the machine's shared NATS server.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A NATS server process.
pub struct NatsServer {
    port: u16,
    store: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server on a free port, with a fresh store.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let store =
            std::env::temp_dir().join(format!("nats-test-{}", uuid::Uuid::new_v4().simple()));
        let mut server = Self { port, store, child: None };
        server.restart();
        server
    }

    /// The client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server (the store stays).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and store, and waits until it accepts.
    pub fn restart(&mut self) {
        self.stop();
        let binary = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| binary());
        let port = self.port.to_string();
        let child = Command::new(&binary)
            .args(["-a", "127.0.0.1", "-p", &port, "-js", "-sd"])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `nats-server` from the `PATH`, or Debian's.
fn binary() -> String {
    let debian = "/usr/sbin/nats-server";
    if std::path::Path::new(debian).exists() { debian.to_owned() } else { "nats-server".to_owned() }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// A message read back from a stream: its headers and its JSON body.
#[derive(Debug)]
pub struct Stored {
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Stored {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Every message of `stream` on `subject`, read with an ephemeral consumer.
pub async fn stored(url: &str, stream: &str, subject: &str) -> Vec<Stored> {
    use async_nats::jetstream::consumer::{AckPolicy, pull};
    use futures_util::StreamExt as _;
    let client = async_nats::connect(url).await.expect("connects");
    let stream =
        async_nats::jetstream::new(client).get_stream(stream).await.expect("stream exists");
    let config = pull::Config {
        filter_subject: subject.to_owned(),
        ack_policy: AckPolicy::None,
        ..Default::default()
    };
    let consumer = stream.create_consumer(config).await.expect("consumer");
    let mut all = Vec::new();
    loop {
        let batch = consumer.batch().max_messages(500).expires(Duration::from_millis(300));
        let messages: Vec<_> = batch.messages().await.expect("batch").collect().await;
        if messages.is_empty() {
            return all;
        }
        all.extend(messages.into_iter().map(|message| stored_message(&message.expect("message"))));
    }
}

fn stored_message(message: &async_nats::jetstream::Message) -> Stored {
    let headers = message.headers.iter().flat_map(|headers| {
        headers.iter().flat_map(|(name, values)| {
            values.iter().map(move |value| (name.to_string(), value.as_str().to_owned()))
        })
    });
    let body = serde_json::from_slice(&message.payload).unwrap_or(serde_json::Value::Null);
    Stored { headers: headers.collect(), body }
}

/// Publishes `envelope` to `subject` through JetStream, with an optional message id.
pub async fn publish(url: &str, subject: &str, envelope: &serde_json::Value, id: Option<&str>) {
    let client = async_nats::connect(url).await.expect("connects");
    let jetstream = async_nats::jetstream::new(client);
    let mut headers = async_nats::HeaderMap::new();
    if let Some(id) = id {
        headers.insert("Nats-Msg-Id", id);
    }
    let payload = envelope.to_string().into();
    let ack =
        jetstream.publish_with_headers(subject.to_owned(), headers, payload).await.expect("sent");
    ack.await.expect("stored");
}
