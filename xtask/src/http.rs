//! A blocking HTTP/1.1 client, one request per connection, enough to drive a service that xtask
//! started (the benchmarks, the API fuzzing of `cargo xtask templates`), and the template-rest
//! limits such a client would meet, raised.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::cmd;

/// Every template-rest limit that one busy client would meet, raised: the benchmarks and the
/// API fuzzer measure the service, not its rate limiters.
pub(crate) const REST_LIMITS_RAISED: [(&str, &str); 8] = [
    ("RATE_LIMIT_PER_SECOND", "1000000"),
    ("RATE_LIMIT_BURST", "1000000"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "100000000"),
    ("LOGIN_RATE_LIMIT_BURST", "1000000"),
    ("LOGIN_FAILURES_BEFORE_DELAY", "1000000"),
    ("LOGIN_IP_FAILURES_BEFORE_DELAY", "1000000"),
    ("REGISTER_RATE_LIMIT_PER_HOUR", "100000000"),
    ("REGISTER_RATE_LIMIT_BURST", "1000000"),
];

/// One HTTP response: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// The body, as text.
    pub(crate) body: String,
}

/// Sends one request on a fresh connection and reads the whole response.
///
/// # Errors
/// Connection failures and malformed responses.
pub(crate) fn request(address: SocketAddr, head: &str, body: &str) -> cmd::Result<Response> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let message = format!(
        "{head}\r\nHost: bench\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(message.as_bytes())?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw.split_whitespace().nth(1).and_then(|code| code.parse().ok());
    let status = status.ok_or_else(|| cmd::Error::new(format!("bad response: {raw:.80}")))?;
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, body)| body).to_owned();
    Ok(Response { status, body })
}

/// The string value of the top-level field `name` in a flat JSON `body`.
///
/// # Errors
/// Fails when there is no such string field.
pub(crate) fn json_field(body: &str, name: &str) -> cmd::Result<String> {
    let marker = format!("\"{name}\":\"");
    let start = body.find(&marker).map(|at| at + marker.len());
    let value = start.and_then(|start| body[start..].split('"').next());
    value.map(str::to_owned).ok_or_else(|| cmd::Error::new(format!("no `{name}` in {body:.200}")))
}

/// Polls `path` until it answers 200; returns how long that took from `since`.
///
/// # Errors
/// Fails after `limit`.
pub(crate) fn wait_for_200(
    address: SocketAddr,
    path: &str,
    since: Instant,
    limit: Duration,
) -> cmd::Result<Duration> {
    while since.elapsed() < limit {
        let head = format!("GET {path} HTTP/1.1");
        if request(address, &head, "").is_ok_and(|response| response.status == 200) {
            return Ok(since.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Err(cmd::Error::new(format!("{path} never answered 200 within {limit:?}")))
}
