//! The clients of `bench rest-flood`: flooders that send and hang up, and a normal client that
//! logs in and waits for its answer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::{cmd, http};

const EMAIL: &str = "normal@example.com";
const PASSWORD: &str = "normal client password";
/// How often the normal client logs in.
const LOGIN_EVERY: Duration = Duration::from_millis(250);

/// What the normal client saw.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    latencies: Vec<Duration>,
    ok: u64,
    unavailable: u64,
    other: u64,
}

impl Observed {
    /// `logins | 200 | 503 | other | p50 | max`, for the report's table.
    pub(crate) fn row(&self) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let millis = |at: Option<&Duration>| at.map_or(0.0, |latency| latency.as_secs_f64() * 1e3);
        let p50 = millis(sorted.get(sorted.len() / 2));
        let max = millis(sorted.last());
        let total = sorted.len();
        let (ok, unavailable, other) = (self.ok, self.unavailable, self.other);
        format!("{total} | {ok} | {unavailable} | {other} | {p50:.0} ms | {max:.0} ms")
    }
}

/// A request with `X-Forwarded-For: client`.
fn request(path: &str, client: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nX-Forwarded-For: {client}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Registers the normal client's account.
///
/// # Errors
/// Fails unless the registration answers 201.
pub(crate) fn register_normal_user(address: SocketAddr) -> cmd::Result {
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}","name":"Normal"}}"#);
    let status = exchange(address, &request("/api/v1/auth/register", "10.255.0.1", &body))?.0;
    if status == 201 {
        return Ok(());
    }
    Err(cmd::Error::new(format!("registering the normal client answered {status}")))
}

/// One whole exchange on a fresh connection: status and body.
fn exchange(address: SocketAddr, message: &str) -> cmd::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_mins(1)))?;
    stream.write_all(message.as_bytes())?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    Ok((status, raw.split_once("\r\n\r\n").map_or("", |(_, body)| body).to_owned()))
}

/// Floods for `duration` with `threads` clients while the normal client logs in; returns the
/// number of flood requests sent and what the normal client saw.
pub(crate) fn flood(address: SocketAddr, threads: usize, duration: Duration) -> (u64, Observed) {
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..threads)
        .map(|thread| {
            let (stop, sent) = (stop.clone(), sent.clone());
            std::thread::spawn(move || send_and_hang_up(address, thread, &stop, &sent))
        })
        .collect();
    let observed = normal_logins(address, duration);
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        let _ = flooder.join();
    }
    (sent.load(Ordering::Relaxed), observed)
}

/// One flooder: a registration or a login for a new account, each from a new address, sent
/// whole, then the connection closed without reading the answer.
fn send_and_hang_up(address: SocketAddr, thread: usize, stop: &AtomicBool, sent: &AtomicU64) {
    let mut count: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        count += 1;
        let client = format!("100.{}.{}.{}", 64 + thread % 64, (count >> 8) % 256, count % 256);
        let email = format!("flood-{thread}-{count}@example.com");
        let message = if count.is_multiple_of(2) {
            let body =
                format!(r#"{{"email":"{email}","password":"flood password 1234","name":"F"}}"#);
            request("/api/v1/auth/register", &client, &body)
        } else {
            let body = format!(r#"{{"email":"{email}","password":"flood password 1234"}}"#);
            request("/api/v1/auth/login", &client, &body)
        };
        let Ok(mut stream) = TcpStream::connect(address) else { continue };
        if stream.write_all(message.as_bytes()).is_ok() {
            sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The normal client: a login with the right password every 250 ms for `duration`, each from
/// an address of its own (many users, one login each), waiting for every answer.
pub(crate) fn normal_logins(address: SocketAddr, duration: Duration) -> Observed {
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let mut observed = Observed::default();
    let started = Instant::now();
    let mut count: u32 = 0;
    while started.elapsed() < duration {
        count += 1;
        let client = format!("198.18.{}.{}", count / 256, count % 256);
        let sent = Instant::now();
        let status = exchange(address, &request("/api/v1/auth/login", &client, &body))
            .map_or(0, |reply| reply.0);
        observed.latencies.push(sent.elapsed());
        match status {
            200 => observed.ok += 1,
            503 => observed.unavailable += 1,
            _ => observed.other += 1,
        }
        std::thread::sleep(LOGIN_EVERY.saturating_sub(sent.elapsed()));
    }
    observed
}

/// The `worker_jobs_total` lines of `/metrics`, or why there are none.
pub(crate) fn hashing_jobs(address: SocketAddr) -> String {
    let Ok(metrics) = http::request(address, "GET /metrics HTTP/1.1", "") else {
        return "no /metrics".to_owned();
    };
    let lines: Vec<&str> =
        metrics.body.lines().filter(|line| line.starts_with("worker_jobs_total")).collect();
    if lines.is_empty() {
        return "not reported by this build".to_owned();
    }
    lines.join("; ")
}
