//! Rate limiting, as a folder you can copy: a token bucket per client address on every route
//! (a tower layer answering 429 problem+json with `Retry-After`), the client address behind
//! trusted proxies, and the login throttle that slows down failing addresses per account,
//! after OWASP. State lives in this process, or (with the `redis` cargo feature) in Redis for
//! every replica.
//!
//! The folder depends on external crates and on itself only; `MODULE.md` lists the
//! dependencies, the wiring and the settings.
//!
//! - `settings.rs`: [`LimitSettings`], which gathers [`RateLimit`], [`LoginLimits`],
//!   [`ClientIpPolicy`] and [`LimitStore`].
//! - `limiter.rs`: [`RateLimiter`] and [`InMemoryRateLimiter`], keyed on [`client_network`].
//! - `throttle.rs`: [`LoginThrottle`] and [`InMemoryLoginThrottle`].
//! - `store/`: [`LimitFactory`], the limits in memory or (feature `redis`) in Redis.
//! - `guard.rs`: [`LoginGuard`], the limits a password check goes through.
//! - `client_ip/`: [`ClientIp`] and [`client_ip`], from `X-Forwarded-For` or the peer.
//! - `layer.rs`: [`PerClientLayer`], the limit on every route.
//! - `rejection.rs`: [`TooManyRequests`], the 429.

mod client_ip;
mod guard;
mod layer;
mod limiter;
mod rejection;
mod settings;
mod store;
#[cfg(test)]
mod tests;
mod throttle;

pub use client_ip::{ClientIp, client_ip};
pub use guard::LoginGuard;
pub use layer::{PerClient, PerClientLayer};
pub use limiter::{InMemoryRateLimiter, RateLimiter, client_network};
pub use rejection::TooManyRequests;
pub use settings::{ClientIpPolicy, LimitSettings, LimitStore, LoginLimits, RateLimit};
#[cfg(feature = "redis")]
pub use settings::{RedisSettings, StoreFailure};
#[cfg(feature = "redis")]
pub use store::RedisLimits;
pub use store::{LimitFactory, StoreError};
pub use throttle::{InMemoryLoginThrottle, LoginThrottle, ThrottlePolicy};
