//! Bounded metrics: no label takes a value a client chose, so random methods and paths add no
//! series; and `/metrics` on its own port (`METRICS_PORT`), off the public listener.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{Method, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::process::{free_port, spawn_service_with, wait_until_ready};
use crate::service::repositories::pool::DbPool;
use crate::support::TestApp;

#[sqlx::test]
async fn made_up_methods_are_recorded_as_other(pool: DbPool) {
    let app = TestApp::new(pool).await;
    let made_up = Method::from_bytes(b"QABCDEFGH").unwrap();
    app.request(made_up.clone(), "/health/live").send().await;
    app.request(Method::from_bytes(b"ZXCVBNMQW").unwrap(), "/no/such/path").send().await;
    let reply = app.request(Method::GET, "/metrics").send().await;
    let text = reply.body.as_str().unwrap().to_owned();
    assert!(!text.contains("QABCDEFGH") && !text.contains("ZXCVBNMQW"), "{text}");
    assert!(!text.contains("/no/such/path"), "raw paths never become labels");
    assert!(text.contains(r#"method="OTHER",route="/health/live",status="405""#), "{text}");
    assert!(text.contains(r#"method="OTHER",route="unmatched",status="404""#), "{text}");
}

#[sqlx::test]
async fn with_a_metrics_port_the_public_router_has_no_metrics(pool: DbPool) {
    let app = TestApp::with(pool, &[("METRICS_PORT", "9464")], Vec::new()).await;
    app.request(Method::GET, "/metrics").send().await.problem(StatusCode::NOT_FOUND);
    let document = app.request(Method::GET, "/openapi.json").send().await.body;
    assert!(document["paths"].get("/metrics").is_none(), "not in the public API document");
}

/// The service binary, killed when the test ends, whether it passed or not.
struct Service(std::process::Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection(BufReader<TcpStream>);

impl Connection {
    async fn open(address: SocketAddr) -> Self {
        Self(BufReader::new(TcpStream::connect(address).await.unwrap()))
    }

    /// Sends `method path` and reads the whole response: its status and body.
    async fn send(&mut self, method: &str, path: &str) -> (u16, String) {
        let head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
        self.0.get_mut().write_all(head.as_bytes()).await.unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).await.unwrap();
        let status = line.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.0.read_line(&mut line).await.unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.0.read_exact(&mut body).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// The number of series in `/metrics`: every sample line.
    async fn series(&mut self) -> usize {
        let (status, text) = self.send("GET", "/metrics").await;
        assert_eq!(status, 200);
        text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).count()
    }
}

/// A xorshift generator: random enough for methods and paths, with no dependency.
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        Self(u64::from(nanos) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound`.
    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound).unwrap()).unwrap()
    }

    /// 5 to `5 + spread - 1` characters from `alphabet`.
    fn word(&mut self, alphabet: &[u8], spread: usize) -> String {
        let length = 5 + self.below(spread);
        (0..length).map(|_| char::from(alphabet[self.below(alphabet.len())])).collect()
    }

    /// A request of one of the shapes below, with a random method or path in it.
    fn request(&mut self) -> (String, String) {
        let method = self.word(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 8);
        let path =
            format!("/{}/{}", self.word(b"abcdefghijklmnopqrstuvwxyz0123456789", 20), self.next());
        let id = format!("/api/v1/users/{}", self.word(b"0123456789abcdef-", 30));
        match self.next() % 6 {
            0 => (method, path),
            1 => (method, "/health/live".to_owned()),
            2 => ("GET".to_owned(), path),
            3 => ("POST".to_owned(), path),
            4 => (method, id),
            _ => ("GET".to_owned(), id),
        }
    }
}

#[sqlx::test]
async fn ten_thousand_random_methods_and_paths_add_no_series(pool: DbPool) {
    let port = free_port();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let limits = [("RATE_LIMIT_PER_SECOND", "1000000"), ("RATE_LIMIT_BURST", "1000000")];
    let _service = Service(spawn_service_with(&pool, port, &limits));
    wait_until_ready(address).await;
    let mut connection = Connection::open(address).await;
    let mut random = Random::seeded();
    for shape in ["QWERTYUIO /a/b", "QWERTYUIO /health/live", "GET /a/b", "POST /a/b"] {
        let (method, path) = shape.split_once(' ').unwrap();
        connection.send(method, path).await;
    }
    connection.send("QWERTYUIO", "/api/v1/users/1").await;
    connection.send("GET", "/api/v1/users/1").await;
    connection.series().await;
    let before = connection.series().await;
    for _ in 0..10_000 {
        let (method, path) = random.request();
        let (status, _) = connection.send(&method, &path).await;
        assert!([401, 404, 405].contains(&status), "{method} {path}: {status}");
    }
    let after = connection.series().await;
    assert_eq!(after, before, "series before and after 10,000 random requests");
}

#[sqlx::test]
async fn the_metrics_port_serves_metrics_and_the_public_port_does_not(pool: DbPool) {
    let (public_port, metrics_port) = (free_port(), free_port());
    let public = SocketAddr::from(([127, 0, 0, 1], public_port));
    let metrics = SocketAddr::from(([127, 0, 0, 1], metrics_port));
    let metrics_port = metrics_port.to_string();
    let _service =
        Service(spawn_service_with(&pool, public_port, &[("METRICS_PORT", &metrics_port)]));
    wait_until_ready(public).await;
    let mut public = Connection::open(public).await;
    assert_eq!(public.send("GET", "/health/live").await.0, 200);
    let (status, _) = public.send("GET", "/metrics").await;
    let mut scraper = Connection::open(metrics).await;
    let (scraped, text) = scraper.send("GET", "/metrics").await;
    let (elsewhere, _) = scraper.send("GET", "/health/live").await;
    assert_eq!(status, 404, "the public listener no longer serves /metrics");
    assert_eq!(scraped, 200);
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/health/live",status="200"}"#)
    );
    assert_eq!(elsewhere, 404, "the metrics port serves only /metrics");
}
