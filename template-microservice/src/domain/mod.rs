//! Plain types of the orders domain: no I/O, no framework.
//!
//! [`order`] holds orders and their items, `event` the typed envelope every message carries,
//! [`page`] pagination, and [`trace`] the W3C trace context that travels with requests and
//! messages.

pub(crate) mod event;
pub mod order;
pub mod page;
pub mod trace;
