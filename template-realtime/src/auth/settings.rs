//! Token verification settings: one pinned algorithm per deployment, and the key to check it.
//!
//! The service only verifies tokens; another service (template-rest, say) issues them. With
//! the same `JWT_SECRET`, `JWT_ISSUER` and `JWT_AUDIENCE`, its tokens work here. Better, when
//! the issuer signs with a private key: this node then holds only the public key
//! (`JWT_PUBLIC_KEY`, `JWT_PUBLIC_KEY_FILE`) or the issuer's key set (`JWT_JWKS_URL`), and
//! cannot mint tokens for the issuer if it is compromised.

use std::time::Duration;

use axum::http::Uri;

/// The shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_SECRET_BYTES: usize = 32;

/// The signing algorithm, pinned for the whole deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret (`JWT_SECRET`).
    Hs256,
    /// Ed25519 signatures, checked with a PEM public key.
    EdDsa,
    /// RSA PKCS#1 v1.5 with SHA-256, checked with a PEM public key.
    Rs256,
}

/// Where the issuer's public keys are published (RFC 7517), and how they are refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksConfig {
    /// `JWT_JWKS_URL`: an `http://` URL (in a cluster; `https://` is refused, see README).
    pub url: Uri,
    /// Shortest time between two fetches (`JWT_JWKS_REFRESH_SECS`, default 30): tokens with
    /// made-up `kid`s cannot make the node fetch the set in a loop.
    pub min_refresh: Duration,
    /// Age after which the set is fetched again on the next token (`JWT_JWKS_MAX_AGE_SECS`,
    /// default 300), so that a key the issuer withdrew stops working.
    pub max_age: Duration,
}

/// The key that checks signatures.
#[derive(Clone)]
pub enum JwtKey {
    /// A shared secret, at least [`MIN_SECRET_BYTES`] long.
    Secret(Vec<u8>),
    /// A PEM-encoded public key (`JWT_PUBLIC_KEY` or `JWT_PUBLIC_KEY_FILE`).
    PublicPem(Vec<u8>),
    /// The issuer's key set, chosen by each token's `kid` (`JWT_JWKS_URL`).
    Jwks(JwksConfig),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("JwtKey(redacted)")
    }
}

/// Everything needed to verify tokens.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The pinned algorithm (`JWT_ALGORITHM`: `HS256`, `EdDSA` or `RS256`).
    pub algorithm: JwtAlgorithm,
    /// Secret or public key.
    pub key: JwtKey,
    /// The `iss` claim every token must carry (`JWT_ISSUER`).
    pub issuer: String,
    /// The `aud` claim every token must carry (`JWT_AUDIENCE`).
    pub audience: String,
    /// Whether the secret was generated at random because none was given.
    pub ephemeral_secret: bool,
}
