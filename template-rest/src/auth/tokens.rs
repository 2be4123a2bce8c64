//! Access tokens: short-lived JWTs, and opaque refresh tokens.
//!
//! Tokens are signed with HS256 and a shared secret (one service), or with `EdDSA` and an Ed25519
//! key whose public half other services fetch from `/.well-known/jwks.json`. Every `EdDSA` token
//! names its key in the `kid` header, the key's RFC 7638 thumbprint; several keys are accepted
//! while one rotates out. Verification accepts only the configured algorithm (so `alg: none`
//! and algorithm-confusion tokens fail), and requires `exp`, `iat`, `sub`, `iss` and `aud`,
//! checking each one.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::actor::{Actor, Role};
use super::keys::PublicKey;
use super::rejection::AuthRejection;
use super::settings::{TokenSettings, TokenSigning};

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 5;
/// The one answer to every refused access token.
const REFUSED: &str = "the access token is invalid or expired";

/// A token could not be signed: the key is broken, or the system has no randomness for `jti`.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The key could not sign.
    #[error("cannot sign an access token: {0}")]
    Key(#[from] jsonwebtoken::errors::Error),
    /// No random bytes for the token id.
    #[error("cannot draw a token id: {0}")]
    Random(getrandom::Error),
}

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
    /// Builds the codec from its settings, whose keys are already parsed.
    #[must_use]
    pub fn new(config: &TokenSettings) -> Self {
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
    pub fn issue(&self, actor: Actor) -> Result<AccessToken, SigningError> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: actor.id,
            role: actor.role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl.as_secs(),
            iat: now,
            jti: random_uuid().map_err(SigningError::Random)?,
        };
        let token = jsonwebtoken::encode(&self.header, &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_in: self.ttl.as_secs() })
    }

    /// Verifies a token and returns who it speaks for.
    ///
    /// # Errors
    /// A 401 [`AuthRejection`] for any invalid, expired or foreign token.
    pub fn verify(&self, token: &str) -> Result<Actor, AuthRejection> {
        let refused = || AuthRejection::unauthorized(REFUSED);
        let key = self.verifier.key_for(token).ok_or_else(refused)?;
        let data =
            jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|error| {
                tracing::debug!(%error, "rejected access token");
                refused()
            })?;
        let claims = data.claims;
        if claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
            return Err(refused());
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
fn validation(algorithm: Algorithm, config: &TokenSettings) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    validation.leeway = LEEWAY_SECS;
    validation
}

/// This service's audience, then the others that accept its tokens.
fn audience(config: &TokenSettings) -> Audience {
    if config.extra_audiences.is_empty() {
        return Audience::One(config.audience.clone());
    }
    let all = std::iter::once(&config.audience).chain(&config.extra_audiences);
    Audience::Many(all.cloned().collect())
}

/// A random (version 4) UUID, from the operating system's randomness.
fn random_uuid() -> Result<Uuid, getrandom::Error> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// A new opaque refresh token: 256 random bits, URL-safe base64.
///
/// # Errors
/// Fails only if the operating system has no randomness to give.
pub fn new_refresh_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a refresh token: its SHA-256. The token itself is never stored, so a
/// database leak does not hand out sessions.
#[must_use]
pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
