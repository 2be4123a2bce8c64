//! The per-user counts in this process's memory: the limits are then per node.
//!
//! The state stays bounded: a user with no connection and a full bucket is worth nothing to
//! remember, and such users are forgotten whenever the map has doubled since the last sweep.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use super::{UserLimitStore, Verdict};
use crate::rate::RateLimit;
use crate::rate::TokenBucket;

/// Users tracked before the first sweep.
const FIRST_SWEEP: usize = 1024;

/// What is known of one user.
#[derive(Debug)]
struct UserState {
    connections: usize,
    publications: Option<TokenBucket>,
}

impl UserState {
    fn is_idle(&self, now: Instant) -> bool {
        self.connections == 0 && self.publications.as_ref().is_none_or(|bucket| bucket.is_full(now))
    }
}

#[derive(Debug)]
struct Users {
    by_id: HashMap<Arc<str>, UserState>,
    next_sweep: usize,
}

/// Per-user counts for this node.
#[derive(Debug)]
pub(crate) struct MemoryUserStore {
    users: Mutex<Users>,
}

impl Default for MemoryUserStore {
    fn default() -> Self {
        Self { users: Mutex::new(Users { by_id: HashMap::new(), next_sweep: FIRST_SWEEP }) }
    }
}

impl MemoryUserStore {
    /// How many users are remembered now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.lock().by_id.len()
    }

    fn lock(&self) -> MutexGuard<'_, Users> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Users {
    fn entry(&mut self, user: &Arc<str>) -> &mut UserState {
        if self.by_id.len() >= self.next_sweep {
            let now = Instant::now();
            self.by_id.retain(|_, state| !state.is_idle(now));
            self.next_sweep = (self.by_id.len() * 2).max(FIRST_SWEEP);
        }
        self.by_id.entry(user.clone()).or_insert(UserState { connections: 0, publications: None })
    }
}

#[async_trait::async_trait]
impl UserLimitStore for MemoryUserStore {
    async fn open(&self, user: &Arc<str>, max: usize) -> Verdict {
        let mut users = self.lock();
        let state = users.entry(user);
        if state.connections >= max {
            return Verdict::Refused { retry_after: std::time::Duration::from_secs(1) };
        }
        state.connections += 1;
        Verdict::Allowed
    }

    fn close(&self, user: &Arc<str>) {
        let mut users = self.lock();
        let Some(state) = users.by_id.get_mut(user) else { return };
        state.connections = state.connections.saturating_sub(1);
        if state.is_idle(Instant::now()) {
            users.by_id.remove(user);
        }
    }

    async fn take(&self, user: &Arc<str>, rate: RateLimit) -> Verdict {
        let mut users = self.lock();
        let bucket = users.entry(user).publications.get_or_insert_with(|| TokenBucket::new(rate));
        match bucket.try_take() {
            Ok(()) => Verdict::Allowed,
            Err(retry_after) => Verdict::Refused { retry_after },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const RATE: RateLimit = RateLimit { per_second: 10, burst: 2 };

    #[tokio::test(start_paused = true)]
    async fn connections_are_counted_per_user_and_freed() {
        let store = MemoryUserStore::default();
        let (ann, bob): (Arc<str>, Arc<str>) = ("ann".into(), "bob".into());
        assert_eq!(store.open(&ann, 2).await, Verdict::Allowed);
        assert_eq!(store.open(&ann, 2).await, Verdict::Allowed);
        assert!(matches!(store.open(&ann, 2).await, Verdict::Refused { .. }));
        assert_eq!(store.open(&bob, 2).await, Verdict::Allowed);
        store.close(&ann);
        assert_eq!(store.open(&ann, 2).await, Verdict::Allowed);
        store.close(&bob);
        assert_eq!(store.tracked(), 1, "a user with nothing left is forgotten at once");
    }

    #[tokio::test(start_paused = true)]
    async fn publications_share_one_bucket_per_user() {
        let store = MemoryUserStore::default();
        let ann: Arc<str> = "ann".into();
        assert_eq!(store.take(&ann, RATE).await, Verdict::Allowed);
        assert_eq!(store.take(&ann, RATE).await, Verdict::Allowed);
        let refused = store.take(&ann, RATE).await;
        assert_eq!(refused, Verdict::Refused { retry_after: Duration::from_millis(100) });
        assert_eq!(store.take(&"bob".into(), RATE).await, Verdict::Allowed);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_users_are_forgotten_so_the_state_stays_bounded() {
        let store = MemoryUserStore::default();
        for n in 0..10 * FIRST_SWEEP {
            store.take(&format!("user-{n}").into(), RATE).await;
            tokio::time::advance(Duration::from_millis(1)).await;
        }
        assert!(store.tracked() <= 2 * FIRST_SWEEP, "{} users remembered", store.tracked());
    }
}
