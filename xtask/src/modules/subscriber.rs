//! A `smoke.txt` line that starts with `& ` opens a subscriber: its request is sent and its
//! response head read (the app has answered, so the subscription exists) before the lines after
//! it run; then a thread reads its body until the line's text shows up, for at most [`WAIT`].
//! At the end of the smoke, [`Subscriber::finish`] fails unless it did: so a message that a
//! later line publishes must really reach the subscriber.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cmd;

/// The longest a subscriber waits for its text, from its response head on.
const WAIT: Duration = Duration::from_secs(10);

/// How long one read waits, so that the deadline is checked between reads.
const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// A streaming request, read on a thread of its own.
pub(super) struct Subscriber {
    label: String,
    text: String,
    reading: JoinHandle<cmd::Result<String>>,
}

impl Subscriber {
    /// Sends `request` (`METHOD PATH`) and reads the head; fails on another status than
    /// `status`. The body must then show `text`.
    pub(super) fn open(
        address: SocketAddr,
        request: &str,
        status: u16,
        text: &str,
    ) -> cmd::Result<Self> {
        let label = request.to_owned();
        let mut stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        let head =
            format!("{label} HTTP/1.1\r\nHost: modules\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(head.as_bytes())?;
        let (answered, seen) = read_head(&mut stream)?;
        eprintln!("modules: {label} -> {answered} (a subscriber, read until the end)");
        if answered != status {
            return Err(cmd::Error::new(format!("{label}: expected {status}, got {answered}")));
        }
        let text = text.to_owned();
        let wanted = text.clone();
        let reading = std::thread::spawn(move || read_until(stream, seen, &wanted));
        Ok(Self { label, text, reading })
    }

    /// Waits for the reading thread; fails unless the text arrived.
    pub(super) fn finish(self) -> cmd::Result {
        let Self { label, text, reading } = self;
        let seen = reading
            .join()
            .map_err(|_| cmd::Error::new(format!("{label}: the reading thread panicked")))??;
        if seen.contains(&text) {
            return Ok(());
        }
        let waited = WAIT.as_secs();
        Err(cmd::Error::new(format!(
            "{label}: `{text}` never arrived within {waited} s; the stream had: {seen:.300}"
        )))
    }
}

/// Reads up to the end of the response head; returns the status and what came after the head.
fn read_head(stream: &mut TcpStream) -> cmd::Result<(u16, String)> {
    let deadline = Instant::now() + WAIT;
    let mut seen = String::new();
    while !seen.contains("\r\n\r\n") && Instant::now() < deadline {
        read_some(stream, &mut seen)?;
    }
    let Some((head, rest)) = seen.split_once("\r\n\r\n") else {
        return Err(cmd::Error::new(format!("no response head in {seen:.200}")));
    };
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok());
    let status = status.ok_or_else(|| cmd::Error::new(format!("bad response: {head:.80}")))?;
    Ok((status, rest.to_owned()))
}

/// Reads the body into `seen` until it holds `text`, the peer closes, or [`WAIT`] is over.
fn read_until(mut stream: TcpStream, mut seen: String, text: &str) -> cmd::Result<String> {
    let deadline = Instant::now() + WAIT;
    while !seen.contains(text) && Instant::now() < deadline {
        if !read_some(&mut stream, &mut seen)? {
            break;
        }
    }
    Ok(seen)
}

/// One read into `seen`; false when the peer closed. A read that times out reads nothing.
fn read_some(stream: &mut TcpStream, seen: &mut String) -> cmd::Result<bool> {
    let mut buffer = [0; 4096];
    match stream.read(&mut buffer) {
        Ok(0) => Ok(false),
        Ok(read) => {
            seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
            Ok(true)
        }
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Ok(true)
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    /// A server of one connection: it answers `head`, then writes `events` one by one, 50 ms
    /// apart, and keeps the connection open for a second, like a stream.
    fn stream_server(head: &'static str, events: &'static [&'static str]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut connection, _) = listener.accept().unwrap();
            let mut request = [0; 1024];
            let _ = connection.read(&mut request).unwrap();
            connection.write_all(head.as_bytes()).unwrap();
            for event in events {
                std::thread::sleep(Duration::from_millis(50));
                connection.write_all(event.as_bytes()).unwrap();
            }
            std::thread::sleep(Duration::from_secs(1));
        });
        address
    }

    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n";

    #[test]
    fn a_text_that_arrives_after_the_head_passes() {
        let address = stream_server(OK, &["data: joined\n\n", "data: {\"text\":\"hi\"}\n\n"]);
        let subscriber = Subscriber::open(address, "GET /events", 200, "\"text\":\"hi\"").unwrap();
        subscriber.finish().unwrap();
    }

    #[test]
    fn a_text_that_never_arrives_fails_and_so_does_another_status() {
        let address = stream_server(OK, &["data: joined\n\n"]);
        let subscriber = Subscriber::open(address, "GET /events", 200, "never sent").unwrap();
        let error = subscriber.finish().unwrap_err().to_string();
        assert!(error.starts_with("GET /events: `never sent` never arrived"), "{error}");
        assert!(error.contains("data: joined"), "{error}");
        let address = stream_server("HTTP/1.1 404 Not Found\r\n\r\n", &[]);
        let error = Subscriber::open(address, "GET /events", 200, "x").err().unwrap().to_string();
        assert_eq!(error, "GET /events: expected 200, got 404");
    }
}
