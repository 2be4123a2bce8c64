//! Access-token verification: tokens issued by template-rest (or any issuer sharing its key),
//! with one pinned algorithm, and `exp`, `iat`, `sub`, `iss` and `aud` all required.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use uuid::Uuid;

use crate::config::{JwtAlgorithm, JwtConfig};
use crate::error::{AppError, AppResult};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// The claims this service reads.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Uuid,
    iat: u64,
}

/// Verifies access tokens.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("TokenVerifier").finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// A verifier for the configured algorithm and key.
    ///
    /// # Errors
    /// Fails when a PEM public key cannot be parsed.
    pub fn new(config: &JwtConfig) -> Result<Self, jsonwebtoken::errors::Error> {
        let (algorithm, key) = match &config.algorithm {
            JwtAlgorithm::Hs256(secret) => (Algorithm::HS256, DecodingKey::from_secret(secret)),
            JwtAlgorithm::EdDsa(pem) => (Algorithm::EdDSA, DecodingKey::from_ed_pem(pem)?),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS;
        Ok(Self { key, validation })
    }

    /// The user a valid token speaks for.
    ///
    /// # Errors
    /// [`AppError::Unauthorized`] for any invalid, expired or foreign token.
    pub fn verify(&self, token: &str) -> AppResult<Uuid> {
        let rejected = AppError::Unauthorized("the access token is invalid or expired");
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|error| tracing::debug!(%error, "rejected access token"))
            .map_err(|()| AppError::Unauthorized("the access token is invalid or expired"))?;
        if data.claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
            return Err(rejected);
        }
        Ok(data.claims.sub)
    }
}
