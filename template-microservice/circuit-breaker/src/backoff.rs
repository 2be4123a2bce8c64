//! How long the breaker stays open: [`OpenWait`], fixed or exponential, with
//! optional jitter.

use std::time::Duration;

use crate::error::ConfigError;

/// How long the breaker stays open before it admits trial calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OpenWait {
    /// The same wait after every trip.
    Fixed(Duration),
    /// `initial × multiplier^k` after the k-th consecutive trip (k from 0;
    /// the count restarts when the breaker closes), capped at `max`.
    Exponential {
        /// The wait after the first trip.
        initial: Duration,
        /// Growth per consecutive trip (at least 1).
        multiplier: f64,
        /// The longest wait.
        max: Duration,
    },
}

impl Default for OpenWait {
    fn default() -> Self {
        Self::Fixed(Duration::from_secs(30))
    }
}

impl OpenWait {
    /// The wait after `trips` earlier consecutive trips, before jitter.
    #[must_use]
    pub fn base(&self, trips: u32) -> Duration {
        match *self {
            Self::Fixed(wait) => wait,
            Self::Exponential { initial, multiplier, max } => {
                let factor = multiplier.powi(i32::try_from(trips).unwrap_or(i32::MAX));
                let seconds = (initial.as_secs_f64() * factor).min(max.as_secs_f64());
                Duration::try_from_secs_f64(seconds).unwrap_or(max)
            }
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            Self::Exponential { initial, multiplier, max }
                if !(multiplier >= 1.0 && multiplier.is_finite()) || initial > max =>
            {
                Err(ConfigError::new("open_wait", "needs multiplier ≥ 1 and initial ≤ max"))
            }
            _ => Ok(()),
        }
    }
}

const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// Jitter: each wait is shortened by a random share of up to `fraction`.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    fraction: f64,
    state: u64,
}

impl Jitter {
    pub(crate) fn new(fraction: f64, seed: u64) -> Self {
        Self { fraction, state: seed }
    }

    /// `wait` shortened by a uniform share in `[0, fraction)` of itself.
    pub(crate) fn apply(&mut self, wait: Duration) -> Duration {
        if self.fraction <= 0.0 {
            return wait;
        }
        let unit = self.next_unit();
        wait.mul_f64(1.0 - self.fraction * unit)
    }

    /// A uniform number in `[0, 1)` from a `SplitMix64` sequence.
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits make an exact f64 fraction.
        let mantissa = u32::try_from(z >> 32).unwrap_or(0);
        let low = u32::try_from((z >> 11) & 0x1F_FFFF).unwrap_or(0);
        (f64::from(mantissa) * f64::from(1u32 << 21) + f64::from(low)) / TWO_POW_53
    }
}

/// A seed that differs between breakers and between runs.
pub(crate) fn random_seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x5EED_u64)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn exponential_grows_and_caps() {
        let wait = OpenWait::Exponential {
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_secs(5),
        };
        let waits: Vec<u64> = (0..5).map(|trip| wait.base(trip).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
    }

    #[test]
    fn jitter_stays_within_its_fraction_and_varies() {
        let mut jitter = Jitter::new(0.5, 42);
        let waits: Vec<Duration> =
            (0..100).map(|_| jitter.apply(Duration::from_secs(10))).collect();
        assert!(waits.iter().all(|w| *w > Duration::from_secs(5)));
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(10)));
        assert!(waits.windows(2).any(|pair| pair[0] != pair[1]));
    }

    #[test]
    fn invalid_exponential_settings_are_refused() {
        let shrinking = OpenWait::Exponential {
            initial: Duration::from_secs(1),
            multiplier: 0.5,
            max: Duration::from_secs(5),
        };
        assert!(shrinking.validate().is_err());
        assert!(OpenWait::Fixed(Duration::ZERO).validate().is_ok());
    }
}
