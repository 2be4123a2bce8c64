//! The issuer's public keys, fetched from `JWT_JWKS_URL` (RFC 7517) and cached by `kid`.
//!
//! The set is fetched at startup, again when a token names a `kid` the cache does not know
//! (the issuer rotated its key), and again once it is older than `JWT_JWKS_MAX_AGE_SECS` (a
//! withdrawn key stops working). Fetches are at least `JWT_JWKS_REFRESH_SECS` apart and one
//! at a time, so tokens with made-up `kid`s cost one fetch per interval, not one per token.
//! Only Ed25519 signature keys are kept: a symmetric key in the set can never turn into an
//! HMAC secret.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use tokio::time::Instant;

use super::JwksConfig;

/// Fetches a key set document; `outbound::jwks` does it over HTTP.
#[async_trait]
pub(crate) trait KeySetFetcher: Send + Sync {
    /// The body of the document at `url`.
    ///
    /// # Errors
    /// Why it could not be fetched.
    async fn fetch(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// Why the key set cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwksError {
    /// The set could not be fetched.
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    /// The answer is not a key set.
    #[error("the key set is not valid JSON: {0}")]
    Invalid(#[from] serde_json::Error),
    /// The set has no key this service can use.
    #[error("the key set has no usable Ed25519 key with a `kid`")]
    NoKey,
}

/// The keys of the last fetch, and when it happened.
struct Fetched {
    keys: HashMap<String, Arc<DecodingKey>>,
    at: Instant,
}

/// The cached key set of the issuer.
pub(crate) struct JwksKeys {
    config: JwksConfig,
    fetcher: Arc<dyn KeySetFetcher>,
    fetched: RwLock<Fetched>,
    /// When the last refetch started (the one at startup does not count, so that a key
    /// rotated in just after startup is found at once); held while fetching, so that fetches
    /// never overlap.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for JwksKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("JwksKeys").field("url", &self.config.url).finish_non_exhaustive()
    }
}

impl JwksKeys {
    /// Fetches the set once; the service does not start without it.
    ///
    /// # Errors
    /// When the set cannot be fetched, is not a key set, or has no Ed25519 key.
    pub(crate) async fn start(
        config: JwksConfig,
        fetcher: Arc<dyn KeySetFetcher>,
    ) -> Result<Self, JwksError> {
        let keys = fetch_keys(&config, fetcher.as_ref()).await?;
        if keys.is_empty() {
            return Err(JwksError::NoKey);
        }
        Ok(Self {
            config,
            fetcher,
            fetched: RwLock::new(Fetched { keys, at: Instant::now() }),
            last_attempt: tokio::sync::Mutex::new(None),
        })
    }

    /// The key named `kid`, fetching the set again when it is unknown or the set is old, and
    /// the last fetch is far enough back. An old key stays in use while the set cannot be
    /// fetched again, and is dropped once a new set no longer has it.
    pub(crate) async fn key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        let (key, fresh) = self.cached(kid);
        if key.is_some() && fresh {
            return key;
        }
        if self.refresh().await { self.cached(kid).0 } else { key }
    }

    fn cached(&self, kid: &str) -> (Option<Arc<DecodingKey>>, bool) {
        let fetched = self.fetched.read().unwrap_or_else(PoisonError::into_inner);
        (fetched.keys.get(kid).cloned(), fetched.at.elapsed() < self.config.max_age)
    }

    /// Fetches the set unless the last attempt is too recent; returns whether a set was
    /// stored (by this call, or by the one this call waited for).
    async fn refresh(&self) -> bool {
        let mut last_attempt = self.last_attempt.lock().await;
        if last_attempt.is_some_and(|at| at.elapsed() < self.config.min_refresh) {
            return self.fetched.read().unwrap_or_else(PoisonError::into_inner).at.elapsed()
                < self.config.min_refresh;
        }
        *last_attempt = Some(Instant::now());
        metrics::counter!("jwks_fetches_total").increment(1);
        match fetch_keys(&self.config, self.fetcher.as_ref()).await {
            Ok(keys) => {
                let fresh = Fetched { keys, at: Instant::now() };
                *self.fetched.write().unwrap_or_else(PoisonError::into_inner) = fresh;
                true
            }
            Err(error) => {
                tracing::warn!(%error, "keeping the previous key set");
                false
            }
        }
    }
}

async fn fetch_keys(
    config: &JwksConfig,
    fetcher: &dyn KeySetFetcher,
) -> Result<HashMap<String, Arc<DecodingKey>>, JwksError> {
    let body = fetcher
        .fetch(&config.url)
        .await
        .map_err(|reason| JwksError::Fetch { url: config.url.clone(), reason })?;
    let set: JwkSet = serde_json::from_slice(&body)?;
    Ok(usable_keys(&set))
}

/// The Ed25519 signature keys of the set that have a `kid`.
fn usable_keys(set: &JwkSet) -> HashMap<String, Arc<DecodingKey>> {
    set.keys
        .iter()
        .filter(|jwk| fits(jwk))
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            Some((kid, Arc::new(DecodingKey::from_jwk(jwk).ok()?)))
        })
        .collect()
}

/// Whether the key is an Ed25519 key for signatures, by its type and, when given, its `alg`
/// and `use`.
fn fits(jwk: &Jwk) -> bool {
    let for_signatures =
        jwk.common.public_key_use.as_ref().is_none_or(|usage| *usage == PublicKeyUse::Signature);
    let named = jwk.common.key_algorithm.is_none_or(|algorithm| algorithm == KeyAlgorithm::EdDSA);
    let typed = matches!(&jwk.algorithm,
        AlgorithmParameters::OctetKeyPair(key) if key.curve == EllipticCurve::Ed25519);
    for_signatures && named && typed
}
