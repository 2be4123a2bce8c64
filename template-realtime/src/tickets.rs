//! Single-use tickets for SSE: `EventSource` cannot send an `Authorization` header, and a token
//! in the query string (`?access_token=`) lands in access logs, proxies and browser history,
//! where it stays valid until it expires. A client instead trades its token for a ticket
//! (`POST /sse-tickets`) and opens the stream with `?ticket=`: the ticket works once, for
//! `SSE_TICKET_TTL_SECS`, so a logged one is worthless.
//!
//! The store is bounded: at most `SSE_TICKET_CAPACITY` tickets wait, and at most
//! `USER_MAX_CONNECTIONS` per user. Tickets live in this node's memory: the stream must be
//! opened on the node that issued the ticket.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use crate::auth::Identity;
use crate::settings::{ConfigError, positive, secs};

/// How tickets are issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TicketConfig {
    /// How long a ticket stays valid (`SSE_TICKET_TTL_SECS`, default 30).
    pub(crate) ttl: Duration,
    /// Tickets waiting at once on this node (`SSE_TICKET_CAPACITY`, default 10000).
    pub(crate) capacity: usize,
}

/// The tickets' variables, as read.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawTickets {
    sse_ticket_ttl_secs: Option<u64>,
    sse_ticket_capacity: Option<usize>,
}

impl TicketConfig {
    /// Validates the variables.
    ///
    /// # Errors
    /// A zero TTL or capacity, naming its variable.
    pub(crate) fn from_raw(raw: &RawTickets) -> Result<Self, ConfigError> {
        Ok(Self {
            ttl: secs("SSE_TICKET_TTL_SECS", raw.sse_ticket_ttl_secs, 30)?,
            capacity: positive("SSE_TICKET_CAPACITY", raw.sse_ticket_capacity.unwrap_or(10_000))?,
        })
    }
}

/// Why no ticket was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TicketRefusal {
    /// The user already holds as many unused tickets as it may have connections.
    #[error("too many unused tickets: use or let expire the ones you have")]
    TooManyForUser,
    /// The node holds `SSE_TICKET_CAPACITY` unused tickets.
    #[error("the node cannot issue more tickets now")]
    Full,
}

struct Ticket {
    identity: Identity,
    expires: Instant,
}

/// The unused tickets of this node.
pub(crate) struct Tickets {
    config: TicketConfig,
    per_user: usize,
    waiting: Mutex<HashMap<String, Ticket>>,
}

impl std::fmt::Debug for Tickets {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Tickets").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Tickets {
    /// An empty store; each user may hold `per_user` unused tickets.
    #[must_use]
    pub(crate) fn new(config: TicketConfig, per_user: usize) -> Self {
        Self { config, per_user, waiting: Mutex::default() }
    }

    #[must_use]
    pub(crate) fn ttl(&self) -> Duration {
        self.config.ttl
    }

    /// A new ticket for `identity`.
    ///
    /// # Errors
    /// When the user or the node holds too many unused tickets.
    pub(crate) fn issue(&self, identity: Identity) -> Result<String, TicketRefusal> {
        let ticket = random_ticket().ok_or(TicketRefusal::Full)?;
        let mut waiting = self.lock();
        let now = Instant::now();
        waiting.retain(|_, ticket| ticket.expires > now);
        if waiting.len() >= self.config.capacity {
            return Err(TicketRefusal::Full);
        }
        let held = waiting.values().filter(|held| held.identity.user == identity.user).count();
        if held >= self.per_user {
            return Err(TicketRefusal::TooManyForUser);
        }
        waiting.insert(ticket.clone(), Ticket { identity, expires: now + self.config.ttl });
        Ok(ticket)
    }

    /// The identity of an unused, unexpired ticket, which is used up by this call.
    #[must_use]
    pub(crate) fn redeem(&self, ticket: &str) -> Option<Identity> {
        let found = self.lock().remove(ticket)?;
        (found.expires > Instant::now()).then_some(found.identity)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Ticket>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// 32 random bytes in hex.
fn random_ticket() -> Option<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(crate::rooms::hex_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(user: &str) -> Identity {
        Identity { user: user.into(), expires_at: u64::MAX }
    }

    fn tickets(capacity: usize) -> Tickets {
        Tickets::new(TicketConfig { ttl: Duration::from_secs(30), capacity }, 2)
    }

    #[tokio::test(start_paused = true)]
    async fn a_ticket_works_once_and_only_until_it_expires() {
        let store = tickets(10);
        let ticket = store.issue(identity("ann")).unwrap();
        assert_eq!(ticket.len(), 64);
        assert_eq!(store.redeem(&ticket), Some(identity("ann")));
        assert_eq!(store.redeem(&ticket), None, "used up");
        let late = store.issue(identity("ann")).unwrap();
        tokio::time::advance(Duration::from_secs(31)).await;
        assert_eq!(store.redeem(&late), None, "expired");
        assert_eq!(store.redeem("made-up"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_store_is_bounded_per_user_and_in_all() {
        let store = tickets(3);
        store.issue(identity("ann")).unwrap();
        store.issue(identity("ann")).unwrap();
        assert_eq!(store.issue(identity("ann")), Err(TicketRefusal::TooManyForUser));
        store.issue(identity("bob")).unwrap();
        assert_eq!(store.issue(identity("carol")), Err(TicketRefusal::Full));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(store.issue(identity("carol")).is_ok(), "expired tickets make room");
    }
}
