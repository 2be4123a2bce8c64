//! What the benchmark runs against: a fresh database, a NATS server, an inventory stub, and
//! the service's release binary as a separate process.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection as _, PgConnection};

/// The HMAC secret the service verifies and the load signs with.
pub const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/// A count of things done, and how long they took.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    /// Things done.
    pub count: usize,
    /// How long they took.
    pub elapsed: Duration,
}

/// The running pieces.
pub struct Bench {
    pub pool: PgPool,
    pub base_url: String,
    pub nats_url: String,
    nats: Child,
    service: Child,
    store: std::path::PathBuf,
}

impl Bench {
    /// Starts everything and waits until the service is ready.
    pub async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let database_url = database().await?;
        let (nats_port, store, nats) = nats_server()?;
        let inventory = inventory_stub().await?;
        let port = free_port()?;
        let nats_url = format!("nats://127.0.0.1:{nats_port}");
        let service = service(&[
            ("DATABASE_URL", database_url.as_str()),
            ("NATS_URL", &nats_url),
            ("INVENTORY_URL", &inventory),
            ("PORT", &port.to_string()),
        ])?;
        let pool = PgPoolOptions::new().max_connections(4).connect(&database_url).await?;
        let bench = Self {
            pool,
            base_url: format!("http://127.0.0.1:{port}"),
            nats_url,
            nats,
            service,
            store,
        };
        bench.wait_ready().await?;
        Ok(bench)
    }

    async fn wait_ready(&self) -> Result<(), Box<dyn std::error::Error>> {
        let url = format!("{}/health/ready", self.base_url);
        super::poll(Duration::from_mins(1), || async {
            Ok(crate::load::get_status(&url).await == Some(200))
        })
        .await
    }

    /// Waits until `query` counts `expected`.
    pub async fn wait_until(
        &self,
        query: &'static str,
        expected: i64,
    ) -> Result<(), Box<dyn std::error::Error>> {
        super::poll(Duration::from_mins(5), || async {
            Ok(sqlx::query_scalar::<_, i64>(query).fetch_one(&self.pool).await? == expected)
        })
        .await
    }

    /// The 99th percentile of the time from an order event's commit to its acknowledged
    /// publication, over the events after outbox position `after`.
    pub async fn lag_p99_ms(&self, after: i64) -> Result<f64, Box<dyn std::error::Error>> {
        let query = "SELECT (percentile_cont(0.99) WITHIN GROUP \
                     (ORDER BY EXTRACT(EPOCH FROM sent_at - created_at)) * 1000)::float8 \
                     FROM outbox WHERE seq > $1 AND subject = 'events.order.created'";
        Ok(sqlx::query_scalar::<_, f64>(query).bind(after).fetch_one(&self.pool).await?)
    }

    /// The outbox position now.
    pub async fn outbox_position(&self) -> Result<i64, Box<dyn std::error::Error>> {
        let query = "SELECT COALESCE(max(seq), 0) FROM outbox";
        Ok(sqlx::query_scalar::<_, i64>(query).fetch_one(&self.pool).await?)
    }

    /// Stops the service and NATS.
    pub fn stop(mut self) {
        for child in [&mut self.service, &mut self.nats] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// Recreates `microservice_bench` on the server of `DATABASE_URL`; returns its URL.
async fn database() -> Result<String, Box<dyn std::error::Error>> {
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@localhost:5432/postgres".into());
    let mut admin = PgConnection::connect(&server).await?;
    sqlx::raw_sql("DROP DATABASE IF EXISTS microservice_bench WITH (FORCE)")
        .execute(&mut admin)
        .await?;
    sqlx::raw_sql("CREATE DATABASE microservice_bench").execute(&mut admin).await?;
    let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
    Ok(format!("{base}/microservice_bench"))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn nats_server() -> Result<(u16, std::path::PathBuf, Child), Box<dyn std::error::Error>> {
    let port = free_port()?;
    let store = std::env::temp_dir().join(format!("nats-bench-{port}"));
    let binary = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| "nats-server".into());
    let child = Command::new(binary)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((port, store, child))
}

/// An inventory that reserves everything; returns its URL.
async fn inventory_stub() -> std::io::Result<String> {
    let router = axum::Router::new()
        .route("/reservations", axum::routing::post(|| async { axum::http::StatusCode::CREATED }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

/// The service binary next to this example (`target/release/<name>`), started with `vars`.
fn service(vars: &[(&str, &str)]) -> Result<Child, Box<dyn std::error::Error>> {
    let example = std::env::current_exe()?;
    let binary = example.parent().and_then(std::path::Path::parent).ok_or("no target directory")?;
    let binary = binary.join(env!("CARGO_PKG_NAME"));
    let mut command = Command::new(&binary);
    command.envs(vars.iter().copied()).env("JWT_SECRET", SECRET).env("RUST_LOG", "warn");
    command.env("DATABASE_MAX_CONNECTIONS", "40").stdout(Stdio::null());
    // The load comes from one user: lift the per-user limit on orders out of its way.
    command.env("ORDER_RATE_LIMIT_PER_MINUTE", "100000000").env("ORDER_RATE_LIMIT_BURST", "1000");
    Ok(command.spawn().map_err(|error| {
        format!("{}: {error} (run `cargo build --release` first)", binary.display())
    })?)
}
