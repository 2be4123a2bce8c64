//! Token verification: this service accepts the access tokens of the service that issues them
//! (template-rest), with the same `JWT_ISSUER` and `JWT_AUDIENCE`, and exactly one key:
//!
//! - `JWT_SECRET`: the issuer's HS256 secret. Simple, but whoever holds it can mint tokens,
//!   so only for a single service and its issuer;
//! - `JWT_PUBLIC_KEY` (or `JWT_PUBLIC_KEY_FILE`): the issuer's Ed25519 public key (PEM);
//! - `JWT_JWKS_URL`: the issuer's key set (`/.well-known/jwks.json`), each token's key chosen
//!   by its `kid`, so the issuer can rotate keys without a redeploy here.
//!
//! With a public key, this service can check tokens but never make one. The algorithm follows
//! from the key (`JWT_ALGORITHM`, when set, must agree with it).

use super::raw::secs;
use super::{ConfigError, RawConfig};
use crate::services::tokens::{JwksConfig, JwtConfig, JwtKey, MIN_SECRET_BYTES};

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let key = key(raw)?;
        check_algorithm(raw.jwt_algorithm.as_deref(), &key)?;
        Ok(Self {
            key,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref())?,
            audience: non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref())?,
        })
    }
}

/// The one key given.
fn key(raw: &RawConfig) -> Result<JwtKey, ConfigError> {
    exactly_one_key(raw)?;
    if let Some(secret) = &raw.jwt_secret {
        return Ok(JwtKey::Secret(check_secret(secret)?));
    }
    if let Some(pem) = &raw.jwt_public_key {
        return Ok(JwtKey::PublicPem(pem.replace("\\n", "\n").into_bytes()));
    }
    if let Some(path) = &raw.jwt_public_key_file {
        let pem = std::fs::read(path).map_err(|error| {
            ConfigError::new("JWT_PUBLIC_KEY_FILE", format!("`{path}`: {error}"))
        })?;
        return Ok(JwtKey::PublicPem(pem));
    }
    jwks(raw)
}

/// Exactly one of the key variables must be set.
fn exactly_one_key(raw: &RawConfig) -> Result<(), ConfigError> {
    let given = [&raw.jwt_secret, &raw.jwt_public_key, &raw.jwt_public_key_file, &raw.jwt_jwks_url];
    let message = match given.iter().filter(|value| value.is_some()).count() {
        1 => return Ok(()),
        0 => {
            "is required: use the secret of the service issuing tokens, or give its public key \
             in JWT_PUBLIC_KEY or its key set in JWT_JWKS_URL"
        }
        _ => {
            "set exactly one of JWT_SECRET, JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) and \
             JWT_JWKS_URL: a service that checks signed tokens has no use for the secret that \
             mints them"
        }
    };
    Err(ConfigError::new("JWT_SECRET", message))
}

fn check_secret(value: &str) -> Result<Vec<u8>, ConfigError> {
    if value.len() < MIN_SECRET_BYTES {
        let message = format!("is {} bytes; use at least {MIN_SECRET_BYTES}", value.len());
        return Err(ConfigError::new("JWT_SECRET", message));
    }
    Ok(value.as_bytes().to_vec())
}

fn jwks(raw: &RawConfig) -> Result<JwtKey, ConfigError> {
    let variable = "JWT_JWKS_URL";
    let url = raw.jwt_jwks_url.as_deref().unwrap_or_default().trim();
    if url.starts_with("https://") {
        return Err(ConfigError::new(
            variable,
            "https:// is not supported (this build has no TLS client): use the issuer's \
             in-cluster http:// address, a service mesh or sidecar that adds TLS, or give the \
             public key itself in JWT_PUBLIC_KEY",
        ));
    }
    let valid = url.parse::<http::Uri>().ok().is_some_and(|uri| {
        uri.scheme_str() == Some("http") && uri.host().is_some() && uri.path().len() > 1
    });
    if !valid {
        return Err(ConfigError::new(variable, format!("`{url}` is not an http:// URL")));
    }
    Ok(JwtKey::Jwks(JwksConfig {
        url: url.to_owned(),
        min_refresh: secs("JWT_JWKS_REFRESH_SECS", raw.jwt_jwks_refresh_secs, 30)?,
        max_age: secs("JWT_JWKS_MAX_AGE_SECS", raw.jwt_jwks_max_age_secs, 300)?,
    }))
}

/// `JWT_ALGORITHM`, when set, must be the one the key pins.
fn check_algorithm(value: Option<&str>, key: &JwtKey) -> Result<(), ConfigError> {
    let pinned = if matches!(key, JwtKey::Secret(_)) { "HS256" } else { "EdDSA" };
    match value {
        None => Ok(()),
        Some(value) if value == pinned => Ok(()),
        Some(other) => Err(ConfigError::new(
            "JWT_ALGORITHM",
            format!(
                "`{other}` does not fit the key: JWT_SECRET is HS256, JWT_PUBLIC_KEY and \
                 JWT_JWKS_URL are EdDSA"
            ),
        )),
    }
}

fn non_empty(variable: &str, value: Option<&str>) -> Result<String, ConfigError> {
    let value = value.unwrap_or("template-rest").trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}
