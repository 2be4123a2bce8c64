//! Token verification settings: one pinned algorithm per deployment, and the key to check it.
//!
//! The service only verifies tokens; another service (template-rest, say) issues them. With
//! the same `JWT_SECRET`, `JWT_ISSUER` and `JWT_AUDIENCE`, its tokens work here. Better, when
//! the issuer signs with a private key: this node then holds only the public key
//! (`JWT_PUBLIC_KEY`, `JWT_PUBLIC_KEY_FILE`) or the issuer's key set (`JWT_JWKS_URL`), and
//! cannot mint tokens for the issuer if it is compromised.

use std::time::Duration;

use axum::http::Uri;

use super::raw::secs;
use super::{ConfigError, Environment, RawConfig};

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

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig, environment: Environment) -> Result<Self, ConfigError> {
        let public = public_key(raw)?;
        let default_algorithm = if public.is_some() { "EdDSA" } else { "HS256" };
        let algorithm = parse_algorithm(raw.jwt_algorithm.as_deref().unwrap_or(default_algorithm))?;
        let (key, ephemeral_secret) = match (algorithm, public) {
            (JwtAlgorithm::Hs256, None) => secret(raw.jwt_secret.as_deref(), environment)?,
            (algorithm, public) => (public_key_for(algorithm, public, raw)?, false),
        };
        Ok(Self {
            algorithm,
            key,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref())?,
            audience: non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref())?,
            ephemeral_secret,
        })
    }
}

/// The public key of an `EdDSA` or `RS256` deployment, which must not hold `JWT_SECRET`.
fn public_key_for(
    algorithm: JwtAlgorithm,
    public: Option<JwtKey>,
    raw: &RawConfig,
) -> Result<JwtKey, ConfigError> {
    if algorithm == JwtAlgorithm::Hs256 {
        return Err(ConfigError::new(
            "JWT_ALGORITHM",
            "HS256 checks JWT_SECRET: unset JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE and \
             JWT_JWKS_URL, or choose EdDSA or RS256",
        ));
    }
    let key = public.ok_or_else(|| {
        ConfigError::new(
            "JWT_PUBLIC_KEY",
            "EdDSA and RS256 need JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL",
        )
    })?;
    if raw.jwt_secret.is_some() {
        return Err(ConfigError::new(
            "JWT_SECRET",
            "must not be set with a public key: a node that verifies tokens signed with a \
             private key has no use for the secret that mints HS256 ones",
        ));
    }
    Ok(key)
}

fn parse_algorithm(value: &str) -> Result<JwtAlgorithm, ConfigError> {
    match value {
        "HS256" => Ok(JwtAlgorithm::Hs256),
        "EdDSA" => Ok(JwtAlgorithm::EdDsa),
        "RS256" => Ok(JwtAlgorithm::Rs256),
        other => Err(ConfigError::new(
            "JWT_ALGORITHM",
            format!("`{other}` is not one of HS256, EdDSA, RS256"),
        )),
    }
}

fn secret(value: Option<&str>, environment: Environment) -> Result<(JwtKey, bool), ConfigError> {
    let Some(value) = value else {
        if environment == Environment::Production {
            return Err(ConfigError::new("JWT_SECRET", "is required when APP_ENV=production"));
        }
        return Ok((JwtKey::Secret(random_secret()?), true));
    };
    check_secret_strength(value.as_bytes())?;
    Ok((JwtKey::Secret(value.as_bytes().to_vec()), false))
}

/// Rejects secrets that are short or obviously low in entropy (`aaaa…`, `abab…`).
fn check_secret_strength(secret: &[u8]) -> Result<(), ConfigError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            "JWT_SECRET",
            format!("is {} bytes; use at least {MIN_SECRET_BYTES} random bytes", secret.len()),
        ));
    }
    let mut distinct = secret.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 10 {
        return Err(ConfigError::new(
            "JWT_SECRET",
            "is too repetitive to be random; generate one with `openssl rand -base64 48`",
        ));
    }
    Ok(())
}

fn random_secret() -> Result<Vec<u8>, ConfigError> {
    let mut bytes = vec![0_u8; 64];
    getrandom::fill(&mut bytes)
        .map_err(|error| ConfigError::new("JWT_SECRET", format!("cannot generate: {error}")))?;
    Ok(bytes)
}

/// The public key, or key set, when exactly one of its variables is set.
fn public_key(raw: &RawConfig) -> Result<Option<JwtKey>, ConfigError> {
    let given = [&raw.jwt_public_key, &raw.jwt_public_key_file, &raw.jwt_jwks_url];
    if given.iter().filter(|value| value.is_some()).count() > 1 {
        return Err(ConfigError::new(
            "JWT_PUBLIC_KEY",
            "set only one of JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE and JWT_JWKS_URL",
        ));
    }
    if let Some(pem) = &raw.jwt_public_key {
        return Ok(Some(JwtKey::PublicPem(pem.replace("\\n", "\n").into_bytes())));
    }
    if let Some(path) = &raw.jwt_public_key_file {
        let pem = std::fs::read(path).map_err(|error| {
            ConfigError::new("JWT_PUBLIC_KEY_FILE", format!("`{path}`: {error}"))
        })?;
        return Ok(Some(JwtKey::PublicPem(pem)));
    }
    raw.jwt_jwks_url.as_deref().map(|url| jwks(raw, url)).transpose()
}

fn jwks(raw: &RawConfig, url: &str) -> Result<JwtKey, ConfigError> {
    let variable = "JWT_JWKS_URL";
    let uri: Uri = url
        .parse()
        .map_err(|error| ConfigError::new(variable, format!("`{url}` is not a URL: {error}")))?;
    if uri.scheme_str() == Some("https") {
        return Err(ConfigError::new(
            variable,
            "https:// is not supported (this build has no TLS client): use the issuer's \
             in-cluster http:// address, a service mesh or sidecar that adds TLS, or give \
             the public key itself in JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE",
        ));
    }
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(ConfigError::new(variable, format!("`{url}` is not an http:// URL")));
    }
    Ok(JwtKey::Jwks(JwksConfig {
        url: uri,
        min_refresh: secs("JWT_JWKS_REFRESH_SECS", raw.jwt_jwks_refresh_secs, 30)?,
        max_age: secs("JWT_JWKS_MAX_AGE_SECS", raw.jwt_jwks_max_age_secs, 300)?,
    }))
}

fn non_empty(variable: &str, value: Option<&str>) -> Result<String, ConfigError> {
    let value = value.unwrap_or(env!("CARGO_PKG_NAME")).trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}
