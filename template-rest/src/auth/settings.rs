//! The module's settings: how tokens are signed, who they are for and how long they live, and
//! how much password hashing may run at once.
//!
//! The signing choice is one enum whose variant carries its own keys, so an algorithm without
//! its key, or a key for another algorithm, cannot be written at all; a [`SharedSecret`]
//! shorter than [`MIN_SECRET_BYTES`] cannot be built.

use std::time::Duration;

use super::keys::{PublicKey, SigningKey};

/// The shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_SECRET_BYTES: usize = 32;

/// Everything needed to issue and verify access tokens.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// A shared secret (HS256) or an Ed25519 key pair (`EdDSA`).
    pub signing: TokenSigning,
    /// The `iss` claim written and required.
    pub issuer: String,
    /// This service's audience, written into tokens and required on every token received.
    pub audience: String,
    /// The other services that accept this service's tokens, written into `aud` after this
    /// service's own; none by default.
    pub extra_audiences: Vec<String>,
    /// Access-token lifetime; 15 minutes by default.
    pub access_ttl: Duration,
}

impl TokenSettings {
    /// Whether the HS256 secret was generated at random because none was given.
    #[must_use]
    pub fn has_generated_secret(&self) -> bool {
        matches!(&self.signing, TokenSigning::SharedSecret(secret) if secret.is_generated())
    }

    /// Settings with no other audience and 15-minute tokens.
    #[must_use]
    pub fn new(signing: TokenSigning, issuer: &str, audience: &str) -> Self {
        Self {
            signing,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            extra_audiences: Vec::new(),
            access_ttl: Duration::from_mins(15),
        }
    }
}

/// How access tokens are signed; the variant decides the algorithm.
#[derive(Debug, Clone)]
pub enum TokenSigning {
    /// HS256 with a shared secret: the same service signs and verifies.
    SharedSecret(SharedSecret),
    /// `EdDSA` with an Ed25519 key: other services verify with the public keys of the JWK Set,
    /// and never hold a key that signs.
    ///
    /// RSA is not offered: the pure-Rust `rsa` crate has a timing side channel on private-key
    /// operations (RUSTSEC-2023-0071, the Marvin attack) and no fixed release.
    Ed25519 {
        /// Signs every new token; its public half is published and accepted.
        signing: SigningKey,
        /// Other public keys, also published and accepted: the previous key during a
        /// rotation, or the next one before it starts signing.
        accepted: Vec<PublicKey>,
    },
}

impl TokenSigning {
    /// The public keys that verify tokens, the signing key's first, each once; none for a
    /// shared secret.
    #[must_use]
    pub fn public_keys(&self) -> Vec<PublicKey> {
        let Self::Ed25519 { signing, accepted } = self else {
            return Vec::new();
        };
        let mut keys = vec![signing.public_key().clone()];
        for key in accepted {
            if !keys.iter().any(|known| known.kid() == key.kid()) {
                keys.push(key.clone());
            }
        }
        keys
    }
}

/// Why a secret was refused.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Fewer than [`MIN_SECRET_BYTES`] bytes.
    #[error("is {0} bytes; use at least {MIN_SECRET_BYTES} random bytes")]
    TooShort(usize),
    /// The operating system had no randomness to give.
    #[error("cannot generate: {0}")]
    Random(getrandom::Error),
}

/// An HMAC secret of at least [`MIN_SECRET_BYTES`] (32) bytes.
#[derive(Clone)]
pub struct SharedSecret {
    bytes: Vec<u8>,
    generated: bool,
}

impl SharedSecret {
    /// A secret that was given.
    ///
    /// # Errors
    /// [`SecretError::TooShort`] under [`MIN_SECRET_BYTES`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(bytes.len()));
        }
        Ok(Self { bytes, generated: false })
    }

    /// 64 random bytes, for development: tokens do not survive a restart.
    ///
    /// # Errors
    /// [`SecretError::Random`] when the operating system has no randomness.
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = vec![0_u8; 64];
        getrandom::fill(&mut bytes).map_err(SecretError::Random)?;
        Ok(Self { bytes, generated: true })
    }

    /// The secret.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether it was generated at random because none was given.
    #[must_use]
    pub fn is_generated(&self) -> bool {
        self.generated
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SharedSecret(redacted)")
    }
}

/// Argon2id work is bounded twice: by threads, and by a queue in front of them. A full queue
/// is refused at once ([`super::PasswordError::Busy`]) rather than letting a flood of logins
/// pile up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingSettings {
    /// Most hashes computed at once, one thread each (at least 1).
    pub concurrency: usize,
    /// Most hashes waiting for a thread. A job whose caller gave up keeps its place until a
    /// thread skips it unrun.
    pub queue: usize,
}

impl Default for HashingSettings {
    /// One thread per CPU, 64 waiting.
    fn default() -> Self {
        let concurrency =
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self { concurrency, queue: 64 }
    }
}
