//! Access tokens: short-lived JWTs, and opaque refresh tokens.
//!
//! Tokens are signed with HS256 and a shared secret (one service), or with `EdDSA` and an Ed25519
//! key whose public half other services fetch from `/.well-known/jwks.json`. Every `EdDSA` token
//! names its key in the `kid` header, the key's RFC 7638 thumbprint; several keys are accepted
//! while one rotates out. Verification accepts only the configured algorithm (so `alg: none`
//! and algorithm-confusion tokens fail), and requires `exp`, `iat`, `sub`, `iss` and `aud`,
//! checking each one.

pub mod keys;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use self::keys::PublicKey;
use crate::config::{JwtConfig, TokenSigning};
use crate::domain::user::{Actor, Role};
use crate::problem::{AppError, AppResult};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;
/// The one answer to every refused access token.
const REFUSED: &str = "the access token is invalid or expired";

/// The `aud` claim: one audience as a string, several as an array (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// This service only.
    One(String),
    /// This service and the others that accept its tokens.
    Many(Vec<String>),
}

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
    pub aud: Audience,
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

/// The keys that verify: one shared secret, or public keys looked up by `kid`.
enum Verifier {
    Secret(DecodingKey),
    ByKeyId(Vec<PublicKey>),
}

impl Verifier {
    /// The key the token must verify with, if any.
    fn key_for(&self, token: &str) -> Option<&DecodingKey> {
        match self {
            Self::Secret(key) => Some(key),
            Self::ByKeyId(keys) => {
                let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
                keys.iter().find(|key| key.kid() == kid).map(PublicKey::decoding_key)
            }
        }
    }
}

/// Signs and verifies access tokens.
pub struct TokenCodec {
    encoding: EncodingKey,
    header: Header,
    verifier: Verifier,
    validation: Validation,
    issuer: String,
    audience: Audience,
    ttl: Duration,
}

impl std::fmt::Debug for TokenCodec {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenCodec")
            .field("header", &self.header)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenCodec {
    /// Builds the codec from configuration, whose keys are already checked.
    #[must_use]
    pub fn new(config: &JwtConfig) -> Self {
        let (encoding, header, verifier) = match &config.signing {
            TokenSigning::SharedSecret(secret) => (
                EncodingKey::from_secret(secret.bytes()),
                Header::new(Algorithm::HS256),
                Verifier::Secret(DecodingKey::from_secret(secret.bytes())),
            ),
            TokenSigning::Ed25519 { signing, .. } => (
                signing.encoding_key().clone(),
                Header {
                    kid: Some(signing.public_key().kid().to_owned()),
                    ..Header::new(Algorithm::EdDSA)
                },
                Verifier::ByKeyId(config.signing.public_keys()),
            ),
        };
        Self {
            validation: validation(header.alg, config),
            encoding,
            header,
            verifier,
            issuer: config.issuer.clone(),
            audience: audience(config),
            ttl: config.access_ttl,
        }
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
        let token = jsonwebtoken::encode(&self.header, &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok(AccessToken { token, expires_in: self.ttl.as_secs() })
    }

    /// Verifies a token and returns who it speaks for.
    ///
    /// # Errors
    /// [`AppError::Unauthorized`] for any invalid, expired or foreign token.
    pub fn verify(&self, token: &str) -> AppResult<Actor> {
        let key = self.verifier.key_for(token).ok_or(AppError::Unauthorized(REFUSED))?;
        let data =
            jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|error| {
                tracing::debug!(%error, "rejected access token");
                AppError::Unauthorized(REFUSED)
            })?;
        let claims = data.claims;
        if claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
            return Err(AppError::Unauthorized(REFUSED));
        }
        Ok(Actor { id: claims.sub, role: claims.role })
    }

    /// The public keys that verify tokens, the signing key's first; none with a shared secret.
    #[must_use]
    pub fn public_keys(&self) -> &[PublicKey] {
        match &self.verifier {
            Verifier::Secret(_) => &[],
            Verifier::ByKeyId(keys) => keys,
        }
    }
}

/// Accepts only `algorithm`, this issuer and this service's own audience.
fn validation(algorithm: Algorithm, config: &JwtConfig) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    validation.leeway = LEEWAY_SECS;
    validation
}

/// This service's audience, then the others that accept its tokens.
fn audience(config: &JwtConfig) -> Audience {
    if config.extra_audiences.is_empty() {
        return Audience::One(config.audience.clone());
    }
    let all = std::iter::once(&config.audience).chain(&config.extra_audiences);
    Audience::Many(all.cloned().collect())
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

    /// RFC 8037, appendix A.1: an Ed25519 private key, as PEM.
    const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----";

    fn codec(vars: &[(&str, &str)]) -> TokenCodec {
        let mut all = vec![("DATABASE_URL", "sqlite::memory:")];
        all.extend_from_slice(vars);
        TokenCodec::new(&Config::from_vars(&all).unwrap().jwt)
    }

    #[test]
    fn eddsa_tokens_verify_and_cannot_be_confused_with_hmac() {
        let eddsa = codec(&[("JWT_PRIVATE_KEY", PRIVATE_PEM)]);
        let actor = Actor { id: Uuid::now_v7(), role: Role::Admin };
        let token = eddsa.issue(actor).unwrap();
        assert_eq!(eddsa.verify(&token.token).unwrap(), actor);
        assert_eq!(eddsa.public_keys().len(), 1);
        let hmac = codec(&[]);
        assert!(hmac.public_keys().is_empty());
        assert!(eddsa.verify(&hmac.issue(actor).unwrap().token).is_err());
        assert!(hmac.verify(&token.token).is_err());
        assert!(format!("{eddsa:?}").contains("EdDSA"));
    }

    #[test]
    fn one_audience_is_a_string_and_several_an_array() {
        let one = serde_json::to_value(Audience::One("a".into())).unwrap();
        assert_eq!(one, serde_json::json!("a"));
        let many = serde_json::to_value(Audience::Many(vec!["a".into(), "b".into()])).unwrap();
        assert_eq!(many, serde_json::json!(["a", "b"]));
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
