//! Access tokens: short-lived JWTs with one pinned algorithm, and opaque refresh tokens.
//!
//! Verification accepts only the configured algorithm (so `alg: none` and algorithm-confusion
//! tokens fail), and requires `exp`, `iat`, `sub`, `iss` and `aud`, checking each one.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::{JwtAlgorithm, JwtConfig, JwtKeyMaterial};
use crate::domain::user::{Actor, Role};
use crate::error::{AppError, AppResult};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's role when the token was issued.
    pub role: Role,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: u64,
    /// Unique token id.
    pub jti: Uuid,
}

/// A freshly signed access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Signs and verifies access tokens.
pub struct TokenCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    algorithm: Algorithm,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl std::fmt::Debug for TokenCodec {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenCodec")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenCodec {
    /// Builds the codec from configuration.
    ///
    /// # Errors
    /// Fails when a PEM key cannot be parsed for the configured algorithm.
    pub fn new(config: &JwtConfig) -> Result<Self, jsonwebtoken::errors::Error> {
        let (algorithm, encoding, decoding) = keys(config)?;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS;
        Ok(Self {
            encoding,
            decoding,
            algorithm,
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl: config.access_ttl,
        })
    }

    /// Signs an access token for `actor`.
    ///
    /// # Errors
    /// Fails only if signing fails, which means a broken key.
    pub fn issue(&self, actor: Actor) -> AppResult<AccessToken> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: actor.id,
            role: actor.role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl.as_secs(),
            iat: now,
            jti: Uuid::new_v4(),
        };
        let token = jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok(AccessToken { token, expires_in: self.ttl.as_secs() })
    }

    /// Verifies a token and returns who it speaks for.
    ///
    /// # Errors
    /// [`AppError::Unauthorized`] for any invalid, expired or foreign token.
    pub fn verify(&self, token: &str) -> AppResult<Actor> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| {
                tracing::debug!(%error, "rejected access token");
                AppError::Unauthorized("the access token is invalid or expired")
            })?;
        let claims = data.claims;
        if claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
            return Err(AppError::Unauthorized("the access token is invalid or expired"));
        }
        Ok(Actor { id: claims.sub, role: claims.role })
    }
}

fn keys(
    config: &JwtConfig,
) -> Result<(Algorithm, EncodingKey, DecodingKey), jsonwebtoken::errors::Error> {
    match (&config.keys, config.algorithm) {
        (JwtKeyMaterial::Secret(secret), _) => Ok((
            Algorithm::HS256,
            EncodingKey::from_secret(secret),
            DecodingKey::from_secret(secret),
        )),
        (JwtKeyMaterial::KeyPair { private_pem, public_pem }, JwtAlgorithm::EdDsa) => Ok((
            Algorithm::EdDSA,
            EncodingKey::from_ed_pem(private_pem)?,
            DecodingKey::from_ed_pem(public_pem)?,
        )),
        (JwtKeyMaterial::KeyPair { .. }, JwtAlgorithm::Hs256) => {
            Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into())
        }
    }
}

/// A new opaque refresh token: 256 random bits, URL-safe base64.
///
/// # Errors
/// Fails only if the operating system has no randomness to give.
pub fn new_refresh_token() -> AppResult<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(error.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a refresh token: its SHA-256. The token itself is never stored, so a
/// database leak does not hand out sessions.
#[must_use]
pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// A throw-away Ed25519 key pair, for these tests only.
    const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIMPjHaGhyJeVPEV8zgJCfY3Fi4lqVwlLARysaUEU8iPV
-----END PRIVATE KEY-----
";
    const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAHUlzmqnE4LunWKeh2raq3CfpFlORpeTQiQ/zJq7yl1c=
-----END PUBLIC KEY-----
";

    fn codec(algorithm: &str) -> TokenCodec {
        let dir = std::env::temp_dir().join(format!("keys-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let (private, public) = (dir.join("jwt.pem"), dir.join("jwt.pub"));
        std::fs::write(&private, PRIVATE_PEM).unwrap();
        std::fs::write(&public, PUBLIC_PEM).unwrap();
        let config = Config::from_vars(&[
            ("DATABASE_URL", "sqlite::memory:"),
            ("JWT_ALGORITHM", algorithm),
            ("JWT_PRIVATE_KEY_FILE", private.to_str().unwrap()),
            ("JWT_PUBLIC_KEY_FILE", public.to_str().unwrap()),
        ])
        .unwrap();
        TokenCodec::new(&config.jwt).unwrap()
    }

    #[test]
    fn eddsa_tokens_verify_and_cannot_be_confused_with_hmac() {
        let eddsa = codec("EdDSA");
        let actor = Actor { id: Uuid::now_v7(), role: Role::Admin };
        let token = eddsa.issue(actor).unwrap();
        assert_eq!(eddsa.verify(&token.token).unwrap(), actor);
        let hmac = codec("HS256");
        assert!(eddsa.verify(&hmac.issue(actor).unwrap().token).is_err());
        assert!(hmac.verify(&token.token).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (first, second) = (new_refresh_token().unwrap(), new_refresh_token().unwrap());
        assert_ne!(first, second);
        assert_eq!(first.len(), 43, "256 bits in unpadded base64url");
        assert_eq!(hash_refresh_token(&first).len(), 32);
        assert_ne!(hash_refresh_token(&first), first.as_bytes());
    }
}
