//! `GET /.well-known/jwks.json`: the public keys that verify access tokens, as an RFC 7517 JWK
//! Set, so that other services check tokens without holding a key that can sign them. The set
//! and its caching are the `auth` module's; this file describes the route in OpenAPI.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, JwkSet, TokenCodec};
use crate::state::AppState;

/// The JWKS route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(jwks))
}

/// The public keys that verify access tokens (RFC 7517).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses(
        (status = 200, description = "The JWK Set", body = JwkSet,
            headers(("cache-control" = String, description = "How long the set may be cached"))),
    ))]
async fn jwks(codec: State<Arc<TokenCodec>>) -> impl IntoResponse {
    auth::jwks(codec).await
}
