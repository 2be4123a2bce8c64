//! The broker this project was generated with, behind the rooms module's
//! [`Broker`](crate::rooms::Broker) trait: ids, history, delivery into each node's hub, and
//! presence.
//!
//! `backend.rs` (with its folder) is the only code that differs between `memory` (the
//! module's [`MemoryBroker`](crate::rooms::MemoryBroker)), `redis` and `nats`: its settings
//! ([`BrokerConfig`], read from `RawBrokerConfig`), [`connect`], and whether it can hold
//! the per-user limits of every node (`SHARED_USER_LIMITS`, `user_store`).

mod backend;

pub use backend::{BrokerConfig, connect};
pub(crate) use backend::{RawBrokerConfig, SHARED_USER_LIMITS, user_store};
