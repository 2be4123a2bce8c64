//! Access-token verification: JWTs with one pinned algorithm, as template-rest issues them.
//!
//! Only the configured algorithm is accepted (so `alg: none` and algorithm-confusion tokens
//! fail), and `exp`, `iat`, `sub`, `iss` and `aud` are required and checked. The user id is
//! the `sub` claim; other claims (template-rest adds `role` and `jti`) are ignored.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{JwtAlgorithm, JwtConfig, JwtKey};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// The longest `sub` accepted, in bytes.
const MAX_SUBJECT_BYTES: usize = 128;

/// Lifetime of the tokens minted for the demo page in development.
const DEMO_TOKEN_SECS: u64 = 3600;

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user id: the token's `sub`.
    pub user: Arc<str>,
}

/// Why a token was refused. Deliberately vague: the client learns nothing about the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the access token is invalid or expired")]
pub struct InvalidToken;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
}

/// Verifies access tokens.
pub struct TokenVerifier {
    decoding: DecodingKey,
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
    /// Builds the verifier from configuration.
    ///
    /// # Errors
    /// Fails when the PEM key cannot be parsed for the configured algorithm.
    pub fn new(config: &JwtConfig) -> Result<Self, jsonwebtoken::errors::Error> {
        let (algorithm, decoding) = decoding_key(config)?;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS;
        let demo_signer = match (&config.key, config.ephemeral_secret) {
            (JwtKey::Secret(secret), true) => Some((
                EncodingKey::from_secret(secret),
                config.issuer.clone(),
                config.audience.clone(),
            )),
            _ => None,
        };
        Ok(Self { decoding, validation, demo_signer })
    }

    /// Verifies a token and returns who it speaks for.
    ///
    /// # Errors
    /// [`InvalidToken`] for any invalid, expired, premature or foreign token.
    pub fn verify(&self, token: &str) -> Result<Identity, InvalidToken> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| {
                tracing::debug!(%error, "rejected access token");
                InvalidToken
            })?;
        let claims = data.claims;
        let issued_in_future = claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS;
        if issued_in_future || claims.sub.is_empty() || claims.sub.len() > MAX_SUBJECT_BYTES {
            return Err(InvalidToken);
        }
        Ok(Identity { user: claims.sub.into() })
    }

    /// A one-hour token for `user`, when the secret was generated at random for development:
    /// nobody else can sign tokens then, so the demo page would be unusable without it.
    #[must_use]
    pub fn demo_token(&self, user: &str) -> Option<String> {
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

fn decoding_key(
    config: &JwtConfig,
) -> Result<(Algorithm, DecodingKey), jsonwebtoken::errors::Error> {
    match (&config.key, config.algorithm) {
        (JwtKey::Secret(secret), _) => Ok((Algorithm::HS256, DecodingKey::from_secret(secret))),
        (JwtKey::PublicPem(pem), JwtAlgorithm::EdDsa) => {
            Ok((Algorithm::EdDSA, DecodingKey::from_ed_pem(pem)?))
        }
        (JwtKey::PublicPem(pem), _) => Ok((Algorithm::RS256, DecodingKey::from_rsa_pem(pem)?)),
    }
}

#[cfg(test)]
mod tests;
