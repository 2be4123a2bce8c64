//! Access-token verification: JWTs with one pinned algorithm, as template-rest issues them.
//!
//! Only the configured algorithm is accepted (so `alg: none` and algorithm-confusion tokens,
//! such as HS256 signed with the public key as the secret, fail), and `exp`, `iat`, `sub`,
//! `iss` and `aud` are required and checked. The key is a shared secret, one public key, or
//! the issuer's key set chosen by the token's `kid` (`jwks`). The user id is the `sub`
//! claim, and `exp` bounds the life of the connections the token opens; other claims
//! (template-rest adds `role` and `jti`) are ignored.

pub(crate) mod fetch;
pub(crate) mod jwks;
mod settings;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use jwks::{JwksError, JwksKeys};
pub use settings::JwtConfig;
pub(crate) use settings::{JwksConfig, JwtKey, MIN_SECRET_BYTES, PublicKeyAlgorithm};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// The longest `sub` accepted, in bytes.
const MAX_SUBJECT_BYTES: usize = 128;

/// The longest `kid` looked up, in bytes.
const MAX_KID_BYTES: usize = 128;

/// Lifetime of the tokens minted for the demo page in development.
const DEMO_TOKEN_SECS: u64 = 3600;

/// Who a verified token speaks for, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The user id: the token's `sub`.
    pub(crate) user: Arc<str>,
    /// The token's `exp`, in seconds since the Unix epoch: connections opened with it close
    /// then, unless the client sends a fresh token.
    pub(crate) expires_at: u64,
}

impl Identity {
    /// How long until the token expires (zero once it has).
    #[must_use]
    pub(crate) fn lifetime(&self) -> std::time::Duration {
        let now = jsonwebtoken::get_current_timestamp();
        std::time::Duration::from_secs(self.expires_at.saturating_sub(now))
    }
}

/// Why the verifier cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The PEM key cannot be read for the configured algorithm.
    #[error(transparent)]
    Pem(#[from] jsonwebtoken::errors::Error),
    /// The key set cannot be fetched or has no usable key.
    #[error(transparent)]
    Jwks(#[from] JwksError),
}

/// The key, or keys, that check signatures.
enum Keys {
    One(Arc<DecodingKey>),
    Set(Box<JwksKeys>),
}

/// Why a token was refused. Deliberately vague: the client learns nothing about the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the access token is invalid or expired")]
pub(crate) struct InvalidToken;

/// The claims of a demo token.
#[derive(Debug, Serialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
}

/// The claims a verified token is read for. `iss` and `aud` are checked by the [`Validation`]
/// on the token's own JSON, where `aud` may be one string or a list (template-rest writes a
/// list when `JWT_EXTRA_AUDIENCES` names other services): reading them here as well would
/// refuse the list.
#[derive(Debug, Deserialize)]
struct Verified {
    sub: String,
    exp: u64,
    iat: u64,
}

/// Verifies access tokens.
pub struct TokenVerifier {
    keys: Keys,
    validation: Validation,
    demo_signer: Option<(EncodingKey, String, String)>,
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
    /// Builds the verifier from configuration; with `JWT_JWKS_URL`, fetches the key set.
    ///
    /// # Errors
    /// Fails when the PEM key cannot be parsed for the configured algorithm, or the key set
    /// cannot be fetched or has no key for it.
    pub async fn new(config: &JwtConfig) -> Result<Self, KeyError> {
        let algorithm = config.algorithm();
        let keys = match &config.key {
            JwtKey::Secret(secret) | JwtKey::EphemeralSecret(secret) => {
                Keys::One(Arc::new(DecodingKey::from_secret(secret)))
            }
            JwtKey::PublicPem { pem, .. } => Keys::One(Arc::new(public_pem(pem, algorithm)?)),
            JwtKey::Jwks { set, .. } => {
                Keys::Set(Box::new(JwksKeys::start(set.clone(), algorithm).await?))
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS;
        let demo_signer = match &config.key {
            JwtKey::EphemeralSecret(secret) => Some((
                EncodingKey::from_secret(secret),
                config.issuer.clone(),
                config.audience.clone(),
            )),
            _ => None,
        };
        Ok(Self { keys, validation, demo_signer })
    }

    /// Verifies a token and returns who it speaks for.
    ///
    /// # Errors
    /// [`InvalidToken`] for any invalid, expired, premature or foreign token.
    pub(crate) async fn verify(&self, token: &str) -> Result<Identity, InvalidToken> {
        let key = self.key_for(token).await?;
        let data =
            jsonwebtoken::decode::<Verified>(token, &key, &self.validation).map_err(|error| {
                tracing::debug!(%error, "rejected access token");
                InvalidToken
            })?;
        let claims = data.claims;
        let issued_in_future = claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS;
        if issued_in_future || claims.sub.is_empty() || claims.sub.len() > MAX_SUBJECT_BYTES {
            return Err(InvalidToken);
        }
        Ok(Identity { user: claims.sub.into(), expires_at: claims.exp })
    }

    /// The key that checks `token`: the only one, or the one its `kid` names in the set.
    async fn key_for(&self, token: &str) -> Result<Arc<DecodingKey>, InvalidToken> {
        let set = match &self.keys {
            Keys::One(key) => return Ok(key.clone()),
            Keys::Set(set) => set,
        };
        let header = jsonwebtoken::decode_header(token).map_err(|_| InvalidToken)?;
        let kid = header.kid.filter(|kid| kid.len() <= MAX_KID_BYTES).ok_or(InvalidToken)?;
        set.key(&kid).await.ok_or(InvalidToken)
    }

    /// A one-hour token for `user`, when the secret was generated at random for development:
    /// nobody else can sign tokens then, so the demo page would be unusable without it.
    #[must_use]
    pub(crate) fn demo_token(&self, user: &str) -> Option<String> {
        let (key, issuer, audience) = self.demo_signer.as_ref()?;
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user.to_owned(),
            iss: issuer.clone(),
            aud: audience.clone(),
            exp: now + DEMO_TOKEN_SECS,
            iat: now,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key).ok()
    }
}

fn public_pem(
    pem: &[u8],
    algorithm: Algorithm,
) -> Result<DecodingKey, jsonwebtoken::errors::Error> {
    if algorithm == Algorithm::EdDSA {
        return DecodingKey::from_ed_pem(pem);
    }
    DecodingKey::from_rsa_pem(pem)
}

#[cfg(test)]
mod tests;
