//! A token bucket: `per_second` tokens refill continuously, up to `burst`. Each WebSocket
//! connection has one for its frames, and each user one for its publications.

use std::time::Duration;

use tokio::time::Instant;

/// A token bucket: `per_second` tokens refill continuously, up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimit {
    /// Sustained messages per second.
    pub(crate) per_second: u32,
    /// Messages allowed at once after a quiet period.
    pub(crate) burst: u32,
}

/// The requests a connection, or a user, may still make now.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket.
    #[must_use]
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self { limit, tokens: f64::from(limit.burst), refilled: Instant::now() }
    }

    /// Takes one token; false when none is left.
    pub(crate) fn take(&mut self) -> bool {
        self.try_take().is_ok()
    }

    /// Takes one token.
    ///
    /// # Errors
    /// When none is left: how long until the next one.
    pub(crate) fn try_take(&mut self) -> Result<(), Duration> {
        self.refill(Instant::now());
        if self.tokens < 1.0 {
            let missing = (1.0 - self.tokens) / f64::from(self.limit.per_second);
            return Err(Duration::from_secs_f64(missing));
        }
        self.tokens -= 1.0;
        Ok(())
    }

    /// Whether the bucket is full as of `now`: it then holds nothing worth remembering.
    #[must_use]
    pub(crate) fn is_full(&self, now: Instant) -> bool {
        let mut bucket = self.clone();
        bucket.refill(now);
        bucket.tokens >= f64::from(self.limit.burst)
    }

    fn refill(&mut self, now: Instant) {
        let earned =
            now.duration_since(self.refilled).as_secs_f64() * f64::from(self.limit.per_second);
        self.tokens = (self.tokens + earned).min(f64::from(self.limit.burst));
        self.refilled = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_burst_is_spent_then_refilled_at_the_rate() {
        let mut bucket = TokenBucket::new(RateLimit { per_second: 10, burst: 3 });
        assert!((0..3).all(|_| bucket.take()));
        assert!(!bucket.take());
        tokio::time::advance(Duration::from_millis(100)).await;
        assert!(bucket.take());
        assert!(!bucket.take());
        tokio::time::advance(Duration::from_mins(1)).await;
        assert_eq!((0..10).filter(|_| bucket.take()).count(), 3, "never more than the burst");
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_says_when_the_next_token_comes_and_a_rested_bucket_is_full() {
        let mut bucket = TokenBucket::new(RateLimit { per_second: 4, burst: 1 });
        assert!(bucket.try_take().is_ok());
        assert!(!bucket.is_full(Instant::now()));
        assert_eq!(bucket.try_take(), Err(Duration::from_millis(250)));
        tokio::time::advance(Duration::from_millis(250)).await;
        assert!(bucket.is_full(Instant::now()));
    }
}
