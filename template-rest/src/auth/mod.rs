//! Authentication, as a folder you can copy: JWT access tokens signed with a shared secret
//! (HS256) or an Ed25519 key (`EdDSA`), their JWK Set, opaque refresh tokens, the extractors
//! that authenticate a request in any axum state, and argon2id password hashing on a bounded
//! pool of threads.
//!
//! The folder depends on external crates and on itself only; `MODULE.md` lists the
//! dependencies, the wiring and the settings. The `ToSchema` derives are behind the `openapi`
//! cargo feature.
//!
//! - `settings.rs`: [`TokenSettings`], [`TokenSigning`], [`SharedSecret`], [`HashingSettings`].
//! - `actor.rs`: [`Actor`] and [`Role`], what a token says about its user.
//! - `keys.rs`: Ed25519 keys and their RFC 7638 key ids.
//! - `tokens.rs`: [`TokenCodec`] (sign and verify), refresh tokens.
//! - `extract.rs`: [`CurrentUser`]; [`RequireRole`], for the roles a [`RoleRequirement`]
//!   admits, such as [`Admin`].
//! - `rejection.rs`: [`AuthRejection`], the problem+json 401 or 403.
//! - `jwks.rs`: [`JwkSet`] and the [`jwks`] handler.
//! - `passwords.rs`, `workers.rs`, `argon2_memory.rs`: [`PasswordHasher`] on its thread pool.

mod actor;
mod argon2_memory;
mod extract;
mod jwks;
mod keys;
mod passwords;
mod rejection;
mod settings;
#[cfg(test)]
mod tests;
mod tokens;
mod workers;

pub use actor::{Actor, Role};
pub use extract::{Admin, CurrentUser, RequireRole, RoleRequirement};
pub use jwks::{JWKS_CACHE_CONTROL, Jwk, JwkSet, jwks};
pub use keys::{KeyError, PublicKey, SigningKey, public_keys_from_pem};
pub use passwords::{HashCost, HasherError, PasswordError, PasswordHasher};
pub use rejection::AuthRejection;
pub use settings::{
    HashingSettings, MIN_SECRET_BYTES, SecretError, SharedSecret, TokenSettings, TokenSigning,
};
pub use tokens::{
    AccessToken, Audience, Claims, SigningError, TokenCodec, hash_refresh_token, new_refresh_token,
};
