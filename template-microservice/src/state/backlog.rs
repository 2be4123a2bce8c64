//! The outbox backlog for `/metrics`, read from the database at most once per window, whoever
//! scrapes and however often.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::outbox::{Backlog, Outbox};

/// The outbox backlog, read from the database at most once per `ttl`.
pub(crate) struct BacklogCache {
    outbox: Arc<dyn Outbox>,
    ttl: Duration,
    /// When the last reading was taken, and what it found (`None`: the query failed). Held
    /// while reading, so that scrapes arriving together wait for one query.
    last: tokio::sync::Mutex<Option<(Instant, Option<Backlog>)>>,
}

impl std::fmt::Debug for BacklogCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("BacklogCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl BacklogCache {
    /// A cache of `outbox`'s backlog, kept for `ttl`.
    #[must_use]
    pub(crate) fn new(outbox: Arc<dyn Outbox>, ttl: Duration) -> Self {
        Self { outbox, ttl, last: tokio::sync::Mutex::new(None) }
    }

    /// The last reading if it is younger than the window, else a new one; `None` when the
    /// reading failed (a failure is kept for the window too, so that scrapes do not hammer a
    /// database that is down).
    pub(crate) async fn read(&self) -> Option<Backlog> {
        let mut last = self.last.lock().await;
        if let Some((at, backlog)) = *last
            && at.elapsed() < self.ttl
        {
            return backlog;
        }
        let backlog = self
            .outbox
            .backlog()
            .await
            .map_err(|error| tracing::warn!(%error, "cannot read the outbox backlog"))
            .ok();
        *last = Some((Instant::now(), backlog));
        backlog
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::services::fakes::{FakeOutbox, FakeStore};

    #[tokio::test]
    async fn reads_within_the_window_run_one_query() {
        let store = Arc::new(FakeStore::default());
        let cache = BacklogCache::new(Arc::new(FakeOutbox(store.clone())), Duration::from_mins(1));
        store.add_event(uuid::Uuid::now_v7());
        assert_eq!(cache.read().await.map(|backlog| backlog.depth), Some(1));
        store.add_event(uuid::Uuid::now_v7());
        let together = futures_util::future::join_all((0..10).map(|_| cache.read())).await;
        assert!(together.iter().all(|backlog| backlog.map(|b| b.depth) == Some(1)));
        assert_eq!(store.backlog_reads.load(Ordering::SeqCst), 1, "one query for 11 scrapes");
    }

    #[tokio::test]
    async fn the_backlog_is_read_again_once_the_window_has_passed() {
        let store = Arc::new(FakeStore::default());
        let ttl = Duration::from_millis(50);
        let cache = BacklogCache::new(Arc::new(FakeOutbox(store.clone())), ttl);
        assert_eq!(cache.read().await.map(|backlog| backlog.depth), Some(0));
        store.add_event(uuid::Uuid::now_v7());
        tokio::time::sleep(ttl * 2).await;
        assert_eq!(cache.read().await.map(|backlog| backlog.depth), Some(1));
        assert_eq!(store.backlog_reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_reading_is_kept_for_the_window_too() {
        let store = Arc::new(FakeStore::default());
        *store.fail.lock().unwrap() = true;
        let cache = BacklogCache::new(Arc::new(FakeOutbox(store.clone())), Duration::from_mins(1));
        assert_eq!(cache.read().await, None);
        assert_eq!(cache.read().await, None);
        assert_eq!(store.backlog_reads.load(Ordering::SeqCst), 1, "a down database is asked once");
    }
}
