//! Access-token verification: tokens issued by template-rest (or any issuer sharing its key),
//! with one pinned algorithm, and `exp`, `iat`, `sub`, `iss` and `aud` all required.
//!
//! The algorithm follows from the configured key: HS256 with a shared secret, `EdDSA` with a
//! public key or the issuer's key set ([`jwks`], the key chosen by the token's `kid`). Only
//! that algorithm is accepted, so `alg: none` and algorithm-confusion tokens (HS256 signed with
//! the public key as the secret) fail. Other claims (template-rest adds `role` and `jti`) are
//! ignored.

pub(crate) mod jwks;

use std::time::Duration;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use jwks::{JwksError, JwksKeys, KeySetFetcher};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// The longest `kid` looked up, in bytes.
const MAX_KID_BYTES: usize = 128;

/// The claims this service reads.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Uuid,
    iat: u64,
}

/// Why the verifier cannot be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyError {
    /// The PEM key is not an Ed25519 public key.
    #[error("JWT_PUBLIC_KEY: {0}")]
    Pem(#[from] jsonwebtoken::errors::Error),
    /// The key set cannot be fetched or has no usable key.
    #[error("JWT_JWKS_URL: {0}")]
    Jwks(#[from] JwksError),
}

/// The key, or keys, that check signatures.
enum Keys {
    One(Arc<DecodingKey>),
    Set(Box<JwksKeys>),
}

/// The shortest HMAC secret accepted, in bytes.
pub(crate) const MIN_SECRET_BYTES: usize = 32;

/// Where the issuer publishes its public keys (RFC 7517), and how they are refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JwksConfig {
    /// `JWT_JWKS_URL`: an `http://` URL (this build has no TLS client; see README).
    pub(crate) url: String,
    /// Shortest time between two fetches (`JWT_JWKS_REFRESH_SECS`, default 30): tokens with
    /// made-up `kid`s cannot make the service fetch the set in a loop.
    pub(crate) min_refresh: Duration,
    /// Age after which the set is fetched again on the next token (`JWT_JWKS_MAX_AGE_SECS`,
    /// default 300), so that a key the issuer withdrew stops working.
    pub(crate) max_age: Duration,
}

/// The key that checks signatures, which pins the algorithm.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum JwtKey {
    /// HS256 with the issuer's shared secret (`JWT_SECRET`).
    Secret(Vec<u8>),
    /// `EdDSA` (Ed25519) with the issuer's PEM public key (`JWT_PUBLIC_KEY`,
    /// `JWT_PUBLIC_KEY_FILE`).
    PublicPem(Vec<u8>),
    /// `EdDSA` with the issuer's key set, chosen by each token's `kid` (`JWT_JWKS_URL`).
    Jwks(JwksConfig),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => formatter.write_str("Secret(redacted)"),
            Self::PublicPem(_) => formatter.write_str("PublicPem"),
            Self::Jwks(jwks) => formatter.debug_tuple("Jwks").field(&jwks.url).finish(),
        }
    }
}

/// Everything needed to verify access tokens.
#[derive(Debug, Clone)]
pub(crate) struct JwtConfig {
    /// The key, and with it the algorithm.
    pub(crate) key: JwtKey,
    /// The required `iss` (`JWT_ISSUER`, default `template-rest`).
    pub(crate) issuer: String,
    /// The required `aud` (`JWT_AUDIENCE`, default `template-rest`).
    pub(crate) audience: String,
}

/// Verifies access tokens.
pub(crate) struct TokenVerifier {
    keys: Keys,
    validation: Validation,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenVerifier")
            .field("algorithms", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// A verifier for the configured key; with a key set, fetches it with `fetcher` first.
    ///
    /// # Errors
    /// Fails when a PEM public key cannot be parsed, or the key set cannot be fetched or has
    /// no usable key.
    pub(crate) async fn new(
        config: &JwtConfig,
        fetcher: Arc<dyn KeySetFetcher>,
    ) -> Result<Self, KeyError> {
        let (algorithm, keys) = match &config.key {
            JwtKey::Secret(secret) => {
                (Algorithm::HS256, Keys::One(Arc::new(DecodingKey::from_secret(secret))))
            }
            JwtKey::PublicPem(pem) => {
                (Algorithm::EdDSA, Keys::One(Arc::new(DecodingKey::from_ed_pem(pem)?)))
            }
            JwtKey::Jwks(jwks) => {
                let set = JwksKeys::start(jwks.clone(), fetcher).await?;
                (Algorithm::EdDSA, Keys::Set(Box::new(set)))
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS;
        Ok(Self { keys, validation })
    }

    /// The user a valid token speaks for.
    ///
    /// # Errors
    /// [`AppError::Unauthorized`] for any invalid, expired or foreign token.
    pub(crate) async fn verify(&self, token: &str) -> AppResult<Uuid> {
        let rejected = || AppError::Unauthorized("the access token is invalid or expired");
        let key = self.key_for(token).await.ok_or_else(rejected)?;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|error| tracing::debug!(%error, "rejected access token"))
            .map_err(|()| rejected())?;
        if data.claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
            return Err(rejected());
        }
        Ok(data.claims.sub)
    }

    /// The key that checks `token`: the only one, or the one its `kid` names in the set.
    async fn key_for(&self, token: &str) -> Option<Arc<DecodingKey>> {
        let set = match &self.keys {
            Keys::One(key) => return Some(key.clone()),
            Keys::Set(set) => set,
        };
        let header = jsonwebtoken::decode_header(token).ok()?;
        let kid = header.kid.filter(|kid| kid.len() <= MAX_KID_BYTES)?;
        set.key(&kid).await
    }
}

#[cfg(test)]
mod tests;
