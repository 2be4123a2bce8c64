//! A token bucket per connection: `per_second` tokens refill continuously, up to `burst`.

use tokio::time::Instant;

use crate::config::RateLimit;

/// The frames a connection may still send now.
#[derive(Debug)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket.
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, tokens: f64::from(limit.burst), refilled: Instant::now() }
    }

    /// Takes one token; false when none is left.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned =
            now.duration_since(self.refilled).as_secs_f64() * f64::from(self.limit.per_second);
        self.tokens = (self.tokens + earned).min(f64::from(self.limit.burst));
        self.refilled = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
}
