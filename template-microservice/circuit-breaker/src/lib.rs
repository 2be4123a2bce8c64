//! A circuit breaker for async Rust: a plain wrapper for any future, and a
//! tower layer (`layer::CircuitBreakerLayer`).
//!
//! * States: closed, open, half-open, and the operator's disabled and
//!   forced-open, changed at run time through a [`Handle`].
//! * Count-based or time-based sliding windows, O(1) per call.
//! * Trips on failure rate, slow-call rate or consecutive failures.
//! * Half-open admits exactly the configured number of trials; a cancelled
//!   trial frees its slot, a trial that outlives its lease counts as failed
//!   and its slot is reused.
//! * Results that arrive after the state changed are ignored (generations).
//! * Fixed or exponential open waits with jitter; rejections carry a
//!   retry-after hint.
//! * The closed-state path takes no lock and allocates nothing.
//!
//! # The plain API
//!
//! ```
//! use std::time::Duration;
//! use circuit_breaker::{CircuitBreaker, Error, Outcome};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let breaker = CircuitBreaker::builder()
//!     .count_window(20)
//!     .minimum_calls(4)
//!     .failure_rate(0.5)
//!     .open_wait(circuit_breaker::OpenWait::Fixed(Duration::from_secs(10)))
//!     .build()?;
//!
//! for _ in 0..4 {
//!     let result = breaker.call(|| async { Err::<(), _>("downstream down") }).await;
//!     assert_eq!(result, Err(Error::Inner("downstream down")));
//! }
//! let rejected = breaker.call(|| async { Ok::<_, ()>(()) }).await;
//! assert!(matches!(rejected, Err(Error::Rejected(r)) if r.retry_after <= Duration::from_secs(10)));
//!
//! // A classifier decides what counts: here a 404 is not the downstream's fault.
//! let not_found = |result: &Result<u16, ()>| match result {
//!     Ok(404) => Outcome::Ignored,
//!     Ok(_) => Outcome::Success,
//!     Err(()) => Outcome::Failure,
//! };
//! breaker.handle().reset();
//! let status = breaker.call_classified(not_found, || async { Ok(404) }).await;
//! assert_eq!(status, Ok(404));
//! # Ok(()) }
//! ```
//!
//! The tower API is described in the `layer` module (feature `tower`).
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | `breaker` | [`CircuitBreaker`]: admission and the async call API |
//! | `call` | [`Call`], [`Guarded`]: the futures of guarded calls |
//! | `builder`, `config` | [`Builder`], [`Config`] and their validation |
//! | `backoff` | [`OpenWait`] and jitter |
//! | `clock` | [`Clock`], [`SystemClock`], [`ManualClock`] |
//! | `outcome` | [`Outcome`], [`Classifier`] |
//! | `permit` | [`Permit`], [`OwnedPermit`] |
//! | `handle`, `stats`, `events` | [`Handle`], [`Metrics`], [`Event`] |
//! | `error` | [`Rejected`], [`Error`], [`ConfigError`] |
//! | `state` | [`State`] and its packing with a generation |
//! | `core` | the shared state: admission, recording, transitions |
//! | `window` | count and time sliding windows |
//! | `trials`, `streak` | half-open trials, consecutive failures |
//! | `export` | the `metrics` feature |
//! | `timeout` | `CircuitBreaker::call_with_timeout` (`tokio` feature) |
//! | `layer` | the tower layer (`tower` feature) |
//! | `sync` | std or loom primitives |
//!
//! # Features
//!
//! * `tower` (default): `layer::CircuitBreakerLayer`.
//! * `tokio`: [`SystemClock`] reads tokio's clock (so `tokio::time::pause`
//!   drives the breaker), `CircuitBreaker::call_with_timeout` and
//!   `layer::TokioSleeper` for the layer's backpressure mode.
//! * `metrics`: exports to the `metrics` crate.
//!
//! The proofs (state-machine, property and loom tests) and the benchmark
//! are described in the README.

mod backoff;
mod breaker;
mod builder;
mod call;
mod clock;
mod config;
mod core;
mod error;
mod events;
mod export;
mod handle;
mod outcome;
mod permit;
mod state;
mod stats;
mod streak;
mod sync;
#[cfg(feature = "tokio")]
mod timeout;
mod trials;
mod window;

#[cfg(feature = "tower")]
pub mod layer;

pub use backoff::OpenWait;
pub use breaker::CircuitBreaker;
pub use builder::Builder;
pub use call::{Call, Guarded, RecordOutcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, SlidingWindow, SlowCalls};
pub use error::{ConfigError, Error, Rejected};
pub use events::{Event, EventReceiver};
pub use handle::Handle;
pub use outcome::{Classifier, DefaultClassifier, Outcome};
pub use permit::{OwnedPermit, Permit};
pub use state::State;
pub use stats::Metrics;
