//! `GET /.well-known/jwks.json`: the public keys that verify access tokens, as an RFC 7517 JWK
//! Set, so that other services check tokens without holding a key that can sign them.
//!
//! Each key's `kid` is its RFC 7638 thumbprint, the same `kid` that tokens carry in their
//! header. With an HS256 secret the set is empty: a shared secret is never published.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::services::tokens::keys::PublicKey;
use crate::state::AppState;

/// How long verifiers may cache the set. A verifier that meets an unknown `kid` fetches it
/// again at once, so this bounds only how long a key removed from the set stays trusted.
const CACHE_CONTROL: &str = "public, max-age=300";

/// One Ed25519 public key (RFC 7517 §4, RFC 8037 §2).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    /// Key type: `OKP` (octet key pair).
    #[schema(example = "OKP")]
    kty: String,
    /// Curve: `Ed25519`.
    #[schema(example = "Ed25519")]
    crv: String,
    /// The public key, base64url without padding.
    x: String,
    /// Key id: the RFC 7638 thumbprint, as in the `kid` header of tokens.
    kid: String,
    /// The algorithm the key is used with: `EdDSA`.
    #[schema(example = "EdDSA")]
    alg: String,
    /// What the key is for: `sig` (signatures).
    #[serde(rename = "use")]
    #[schema(example = "sig")]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct JwkSet {
    /// Every accepted public key; empty when tokens are signed with a shared secret.
    keys: Vec<Jwk>,
}

/// The JWKS route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(jwks))
}

/// The public keys that verify access tokens (RFC 7517).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses(
        (status = 200, description = "The JWK Set", body = JwkSet,
            headers(("cache-control" = String, description = "How long the set may be cached"))),
    ))]
async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    let keys = state.codec.public_keys().iter().map(Jwk::from).collect();
    ([(header::CACHE_CONTROL, CACHE_CONTROL)], Json(JwkSet { keys }))
}
