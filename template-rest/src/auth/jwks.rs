//! The JWK Set (RFC 7517) of the public keys that verify access tokens, so that other services
//! check tokens without holding a key that can sign them; serve it at
//! `/.well-known/jwks.json` with [`jwks`].
//!
//! Each key's `kid` is its RFC 7638 thumbprint, the same `kid` that tokens carry in their
//! header. With an HS256 secret the set is empty: a shared secret is never published.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;

use super::keys::PublicKey;
use super::tokens::TokenCodec;

/// How long verifiers may cache the set. A verifier that meets an unknown `kid` fetches it
/// again at once, so this bounds only how long a key removed from the set stays trusted.
pub const JWKS_CACHE_CONTROL: &str = "public, max-age=300";

/// One Ed25519 public key (RFC 7517 §4, RFC 8037 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Jwk {
    /// Key type: `OKP` (octet key pair).
    #[cfg_attr(feature = "openapi", schema(example = "OKP"))]
    kty: String,
    /// Curve: `Ed25519`.
    #[cfg_attr(feature = "openapi", schema(example = "Ed25519"))]
    crv: String,
    /// The public key, base64url without padding.
    x: String,
    /// Key id: the RFC 7638 thumbprint, as in the `kid` header of tokens.
    kid: String,
    /// The algorithm the key is used with: `EdDSA`.
    #[cfg_attr(feature = "openapi", schema(example = "EdDSA"))]
    alg: String,
    /// What the key is for: `sig` (signatures).
    #[serde(rename = "use")]
    #[cfg_attr(feature = "openapi", schema(example = "sig"))]
    key_use: String,
}

impl From<&PublicKey> for Jwk {
    fn from(key: &PublicKey) -> Self {
        Self {
            kty: "OKP".to_owned(),
            crv: "Ed25519".to_owned(),
            x: key.x().to_owned(),
            kid: key.kid().to_owned(),
            alg: "EdDSA".to_owned(),
            key_use: "sig".to_owned(),
        }
    }
}

/// The keys that verify access tokens, the signing key first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JwkSet {
    /// Every accepted public key; empty when tokens are signed with a shared secret.
    keys: Vec<Jwk>,
}

impl From<&TokenCodec> for JwkSet {
    fn from(codec: &TokenCodec) -> Self {
        Self { keys: codec.public_keys().iter().map(Jwk::from).collect() }
    }
}

/// `GET /.well-known/jwks.json`: the set, cacheable for five minutes.
pub async fn jwks(State(codec): State<Arc<TokenCodec>>) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, JWKS_CACHE_CONTROL)], Json(JwkSet::from(&*codec)))
}
