//! Token verification settings: one pinned algorithm per deployment, and the key to check it.
//!
//! The service only verifies tokens; another service (template-rest, say) issues them. With
//! the same `JWT_SECRET`, `JWT_ISSUER` and `JWT_AUDIENCE`, its tokens work here.

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

/// The key that checks signatures.
#[derive(Clone)]
pub enum JwtKey {
    /// A shared secret, at least [`MIN_SECRET_BYTES`] long.
    Secret(Vec<u8>),
    /// A PEM-encoded public key (`JWT_PUBLIC_KEY_FILE`).
    PublicPem(Vec<u8>),
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
        let algorithm = parse_algorithm(raw.jwt_algorithm.as_deref())?;
        let (key, ephemeral_secret) = match algorithm {
            JwtAlgorithm::Hs256 => secret(raw.jwt_secret.as_deref(), environment)?,
            JwtAlgorithm::EdDsa | JwtAlgorithm::Rs256 => (public_key(raw)?, false),
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

fn parse_algorithm(value: Option<&str>) -> Result<JwtAlgorithm, ConfigError> {
    match value.unwrap_or("HS256") {
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

fn public_key(raw: &RawConfig) -> Result<JwtKey, ConfigError> {
    let variable = "JWT_PUBLIC_KEY_FILE";
    let path = raw
        .jwt_public_key_file
        .as_deref()
        .ok_or_else(|| ConfigError::new(variable, "is required for EdDSA and RS256"))?;
    let pem = std::fs::read(path)
        .map_err(|error| ConfigError::new(variable, format!("`{path}`: {error}")))?;
    Ok(JwtKey::PublicPem(pem))
}

fn non_empty(variable: &str, value: Option<&str>) -> Result<String, ConfigError> {
    let value = value.unwrap_or(env!("CARGO_PKG_NAME")).trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}
