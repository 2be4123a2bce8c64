//! The issuer's public keys, fetched from `JWT_JWKS_URL` (RFC 7517) and cached by `kid`.
//!
//! The set is fetched at startup, again when a token names a `kid` the cache does not know
//! (the issuer rotated its key), and again once it is older than `JWT_JWKS_MAX_AGE_SECS` (a
//! withdrawn key stops working). Fetches are at least `JWT_JWKS_REFRESH_SECS` apart and one
//! at a time, so tokens with made-up `kid`s cost one fetch per interval, not one per token.
//! Only keys of the pinned algorithm's type are kept (`OKP`/`Ed25519` for `EdDSA`, `RSA` for
//! `RS256`): a symmetric key in the set can never turn into an HMAC secret.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::time::Instant;

use super::JwksConfig;
use super::fetch::{self, FetchError};

/// Why the key set cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The set could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The answer is not a key set.
    #[error("the key set is not valid JSON: {0}")]
    Invalid(#[from] serde_json::Error),
    /// The set has no key for the pinned algorithm.
    #[error("the key set has no usable {0:?} key with a `kid`")]
    NoKey(Algorithm),
}

/// The keys of the last fetch, and when it happened.
struct Fetched {
    keys: HashMap<String, Arc<DecodingKey>>,
    at: Instant,
}

/// The cached key set of one issuer.
pub(crate) struct JwksKeys {
    config: JwksConfig,
    algorithm: Algorithm,
    fetched: RwLock<Fetched>,
    /// When the last refetch started (the one at startup does not count, so that a key
    /// rotated in just after startup is found at once); held while fetching, so that
    /// fetches never overlap.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for JwksKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("JwksKeys").field("url", &self.config.url).finish_non_exhaustive()
    }
}

impl JwksKeys {
    /// Fetches the set once; the node does not start without it.
    ///
    /// # Errors
    /// When the set cannot be fetched, is not a key set, or has no key for `algorithm`.
    pub(crate) async fn start(config: JwksConfig, algorithm: Algorithm) -> Result<Self, JwksError> {
        let keys = fetch_keys(&config, algorithm).await?;
        if keys.is_empty() {
            return Err(JwksError::NoKey(algorithm));
        }
        let now = Instant::now();
        Ok(Self {
            config,
            algorithm,
            fetched: RwLock::new(Fetched { keys, at: now }),
            last_attempt: tokio::sync::Mutex::new(None),
        })
    }

    /// The key named `kid`, fetching the set again when it is unknown or the set is old and
    /// the last fetch is far enough back. The answer comes from the newest set: a key the
    /// issuer withdrew is refused as soon as a fetch succeeds; a failed fetch keeps the old set.
    pub(crate) async fn key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        let (key, fresh) = self.cached(kid);
        if key.is_some() && fresh {
            return key;
        }
        self.refresh().await;
        self.cached(kid).0
    }

    fn cached(&self, kid: &str) -> (Option<Arc<DecodingKey>>, bool) {
        let fetched = self.fetched.read().unwrap_or_else(PoisonError::into_inner);
        (fetched.keys.get(kid).cloned(), fetched.at.elapsed() < self.config.max_age)
    }

    async fn refresh(&self) {
        let mut last_attempt = self.last_attempt.lock().await;
        if last_attempt.is_some_and(|at| at.elapsed() < self.config.min_refresh) {
            return;
        }
        *last_attempt = Some(Instant::now());
        metrics::counter!("realtime_jwks_fetches_total").increment(1);
        match fetch_keys(&self.config, self.algorithm).await {
            Ok(keys) => {
                let fresh = Fetched { keys, at: Instant::now() };
                *self.fetched.write().unwrap_or_else(PoisonError::into_inner) = fresh;
            }
            Err(error) => tracing::warn!(%error, "keeping the previous JWKS"),
        }
    }
}

async fn fetch_keys(
    config: &JwksConfig,
    algorithm: Algorithm,
) -> Result<HashMap<String, Arc<DecodingKey>>, JwksError> {
    let body = fetch::get(&config.url).await?;
    let set: JwkSet = serde_json::from_slice(&body)?;
    Ok(usable_keys(&set, algorithm))
}

/// The keys with a `kid` that can verify `algorithm`.
pub(crate) fn usable_keys(set: &JwkSet, algorithm: Algorithm) -> HashMap<String, Arc<DecodingKey>> {
    let usable = set.keys.iter().filter(|jwk| fits(jwk, algorithm));
    usable
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            Some((kid, Arc::new(DecodingKey::from_jwk(jwk).ok()?)))
        })
        .collect()
}

/// Whether the key is for signatures with `algorithm`, by its type and, when given, its
/// `alg` and `use`.
fn fits(jwk: &Jwk, algorithm: Algorithm) -> bool {
    let for_signatures =
        jwk.common.public_key_use.as_ref().is_none_or(|usage| *usage == PublicKeyUse::Signature);
    let named = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::EdDSA) => algorithm == Algorithm::EdDSA,
        Some(KeyAlgorithm::RS256) => algorithm == Algorithm::RS256,
        Some(_) => false,
    };
    let typed = match (&jwk.algorithm, algorithm) {
        (AlgorithmParameters::OctetKeyPair(key), Algorithm::EdDSA) => {
            key.curve == EllipticCurve::Ed25519
        }
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        _ => false,
    };
    for_signatures && named && typed
}
