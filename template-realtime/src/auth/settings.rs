//! Token verification settings: one pinned algorithm per deployment, and the key to check it.
//!
//! The service only verifies tokens; another service (template-rest, say) issues them. With
//! the same `JWT_SECRET`, `JWT_ISSUER` and `JWT_AUDIENCE`, its tokens work here. Better, when
//! the issuer signs with a private key: this node then holds only the public key
//! (`JWT_PUBLIC_KEY`, `JWT_PUBLIC_KEY_FILE`) or the issuer's key set (`JWT_JWKS_URL`), and
//! cannot mint tokens for the issuer if it is compromised.

use std::time::Duration;

use axum::http::Uri;
use jsonwebtoken::Algorithm;

/// The shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub(crate) const MIN_SECRET_BYTES: usize = 32;

/// An algorithm whose signatures are checked with a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublicKeyAlgorithm {
    /// Ed25519 signatures.
    EdDsa,
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rs256,
}

impl From<PublicKeyAlgorithm> for Algorithm {
    fn from(algorithm: PublicKeyAlgorithm) -> Self {
        match algorithm {
            PublicKeyAlgorithm::EdDsa => Algorithm::EdDSA,
            PublicKeyAlgorithm::Rs256 => Algorithm::RS256,
        }
    }
}

/// Where the issuer's public keys are published (RFC 7517), and how they are refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JwksConfig {
    /// `JWT_JWKS_URL`: an `http://` URL (in a cluster; `https://` is refused, see README).
    pub(crate) url: Uri,
    /// Shortest time between two fetches (`JWT_JWKS_REFRESH_SECS`, default 30): tokens with
    /// made-up `kid`s cannot make the node fetch the set in a loop.
    pub(crate) min_refresh: Duration,
    /// Age after which the set is fetched again on the next token (`JWT_JWKS_MAX_AGE_SECS`,
    /// default 300), so that a key the issuer withdrew stops working.
    pub(crate) max_age: Duration,
}

/// The key that checks signatures, and with it the one algorithm accepted: a secret means
/// HS256, a public key or key set names its algorithm, so no key exists without its algorithm
/// and no algorithm without its key.
#[derive(Clone)]
pub(crate) enum JwtKey {
    /// HS256 with a shared secret (`JWT_SECRET`), at least [`MIN_SECRET_BYTES`] long.
    Secret(Vec<u8>),
    /// HS256 with a secret generated at start because none was given (development only): no
    /// issuer knows it, so only the demo tokens this node mints pass.
    EphemeralSecret(Vec<u8>),
    /// A PEM-encoded public key (`JWT_PUBLIC_KEY` or `JWT_PUBLIC_KEY_FILE`).
    PublicPem {
        /// `JWT_ALGORITHM`: `EdDSA` (the default with a public key) or `RS256`.
        algorithm: PublicKeyAlgorithm,
        /// The key itself.
        pem: Vec<u8>,
    },
    /// The issuer's key set, chosen by each token's `kid` (`JWT_JWKS_URL`).
    Jwks {
        /// `JWT_ALGORITHM`: `EdDSA` (the default with a key set) or `RS256`.
        algorithm: PublicKeyAlgorithm,
        /// Where the set is and how often it is fetched.
        set: JwksConfig,
    },
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("JwtKey(redacted)")
    }
}

/// Everything needed to verify tokens.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The key, which decides the algorithm.
    pub(crate) key: JwtKey,
    /// The `iss` claim every token must carry (`JWT_ISSUER`).
    pub(crate) issuer: String,
    /// The `aud` claim every token must carry (`JWT_AUDIENCE`).
    pub(crate) audience: String,
}

impl JwtConfig {
    /// The one algorithm tokens may be signed with.
    #[must_use]
    pub(crate) fn algorithm(&self) -> Algorithm {
        match &self.key {
            JwtKey::Secret(_) | JwtKey::EphemeralSecret(_) => Algorithm::HS256,
            JwtKey::PublicPem { algorithm, .. } | JwtKey::Jwks { algorithm, .. } => {
                (*algorithm).into()
            }
        }
    }

    /// Whether the secret was generated at random because none was given.
    #[must_use]
    pub(crate) fn is_ephemeral(&self) -> bool {
        matches!(self.key, JwtKey::EphemeralSecret(_))
    }
}
