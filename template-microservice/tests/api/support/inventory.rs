//! The `inventory` service as a real HTTP server whose answers the test chooses, and which
//! counts the calls it gets and records their `traceparent` headers, and the reservations it
//! was asked to release (`DELETE /reservations/{order_id}`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, post};

/// How the stub answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 201: reserved.
    Reserve,
    /// 409: out of stock.
    OutOfStock,
    /// 500.
    Fail,
    /// Never answers (well, after a minute).
    Hang,
}

#[derive(Debug)]
struct Shared {
    mode: Mutex<Mode>,
    calls: AtomicUsize,
    traceparents: Mutex<Vec<String>>,
    release_mode: Mutex<Mode>,
    release_calls: AtomicUsize,
    released: Mutex<Vec<String>>,
}

/// The stub and what it saw.
#[derive(Debug, Clone)]
pub struct InventoryStub {
    pub url: String,
    shared: Arc<Shared>,
}

impl InventoryStub {
    /// Starts the stub on a free port, reserving.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            mode: Mutex::new(Mode::Reserve),
            calls: AtomicUsize::new(0),
            traceparents: Mutex::new(Vec::new()),
            release_mode: Mutex::new(Mode::Reserve),
            release_calls: AtomicUsize::new(0),
            released: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/reservations", post(reserve))
            .route("/reservations/{order_id}", delete(release))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, shared }
    }

    /// Answers the next calls this way.
    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().expect("lock") = mode;
    }

    /// Calls received so far.
    pub fn calls(&self) -> usize {
        self.shared.calls.load(Ordering::SeqCst)
    }

    /// Answers the next releases this way (`Reserve`: 204, `Fail`: 500).
    pub fn set_release_mode(&self, mode: Mode) {
        *self.shared.release_mode.lock().expect("lock") = mode;
    }

    /// Release calls received so far, answered or not.
    pub fn release_calls(&self) -> usize {
        self.shared.release_calls.load(Ordering::SeqCst)
    }

    /// The orders whose reservation was released (answered 204), in order.
    pub fn released(&self) -> Vec<String> {
        self.shared.released.lock().expect("lock").clone()
    }

    /// The `traceparent` of each call received.
    pub fn traceparents(&self) -> Vec<String> {
        self.shared.traceparents.lock().expect("lock").clone()
    }
}

async fn reserve(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> StatusCode {
    shared.calls.fetch_add(1, Ordering::SeqCst);
    let traceparent = headers.get("traceparent").and_then(|value| value.to_str().ok());
    shared.traceparents.lock().expect("lock").push(traceparent.unwrap_or_default().to_owned());
    let mode = *shared.mode.lock().expect("lock");
    match mode {
        Mode::Reserve => StatusCode::CREATED,
        Mode::OutOfStock => StatusCode::CONFLICT,
        Mode::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        Mode::Hang => {
            tokio::time::sleep(Duration::from_mins(1)).await;
            StatusCode::CREATED
        }
    }
}

async fn release(State(shared): State<Arc<Shared>>, Path(order_id): Path<String>) -> StatusCode {
    shared.release_calls.fetch_add(1, Ordering::SeqCst);
    let mode = *shared.release_mode.lock().expect("lock");
    if mode == Mode::Reserve {
        shared.released.lock().expect("lock").push(order_id);
        return StatusCode::NO_CONTENT;
    }
    StatusCode::INTERNAL_SERVER_ERROR
}
