//! Access-token settings: one pinned algorithm per deployment, and the key material for it.

use std::time::Duration;

use super::{ConfigError, Environment, RawConfig};

/// The shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_SECRET_BYTES: usize = 32;

/// The signing algorithm, pinned for the whole deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret (`JWT_SECRET`).
    Hs256,
    /// Ed25519 signatures from PEM key files: other services verify with the public key alone.
    ///
    /// RSA is not offered: the pure-Rust `rsa` crate has a timing side channel on private-key
    /// operations (RUSTSEC-2023-0071, the Marvin attack) and no fixed release.
    EdDsa,
}

/// The key material behind the algorithm.
#[derive(Clone)]
pub enum JwtKeyMaterial {
    /// A shared secret, at least 32 bytes long.
    Secret(Vec<u8>),
    /// PEM-encoded private and public keys.
    KeyPair {
        /// PEM private key, used to sign.
        private_pem: Vec<u8>,
        /// PEM public key, used to verify.
        public_pem: Vec<u8>,
    },
}

impl std::fmt::Debug for JwtKeyMaterial {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("JwtKeyMaterial(redacted)")
    }
}

/// Everything needed to issue and verify tokens.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The pinned algorithm (`JWT_ALGORITHM`: `HS256` or `EdDSA`).
    pub algorithm: JwtAlgorithm,
    /// Secret or key pair.
    pub keys: JwtKeyMaterial,
    /// The `iss` claim written and required (`JWT_ISSUER`).
    pub issuer: String,
    /// The `aud` claim written and required (`JWT_AUDIENCE`).
    pub audience: String,
    /// Access-token lifetime (`ACCESS_TOKEN_TTL_SECS`, default 15 minutes).
    pub access_ttl: Duration,
    /// Refresh-token lifetime (`REFRESH_TOKEN_TTL_SECS`, default 30 days).
    pub refresh_ttl: Duration,
    /// Whether the secret was generated at random because none was given.
    pub ephemeral_secret: bool,
}

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig, environment: Environment) -> Result<Self, ConfigError> {
        let algorithm = parse_algorithm(raw.jwt_algorithm.as_deref())?;
        let (keys, ephemeral_secret) = match algorithm {
            JwtAlgorithm::Hs256 => secret(raw.jwt_secret.as_deref(), environment)?,
            JwtAlgorithm::EdDsa => (key_pair(raw)?, false),
        };
        Ok(Self {
            algorithm,
            keys,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref(), env!("CARGO_PKG_NAME"))?,
            audience: non_empty(
                "JWT_AUDIENCE",
                raw.jwt_audience.as_deref(),
                env!("CARGO_PKG_NAME"),
            )?,
            access_ttl: ttl("ACCESS_TOKEN_TTL_SECS", raw.access_token_ttl_secs, 15 * 60)?,
            refresh_ttl: ttl("REFRESH_TOKEN_TTL_SECS", raw.refresh_token_ttl_secs, 30 * 86_400)?,
            ephemeral_secret,
        })
    }
}

fn parse_algorithm(value: Option<&str>) -> Result<JwtAlgorithm, ConfigError> {
    match value.unwrap_or("HS256") {
        "HS256" => Ok(JwtAlgorithm::Hs256),
        "EdDSA" => Ok(JwtAlgorithm::EdDsa),
        other => {
            Err(ConfigError::new("JWT_ALGORITHM", format!("`{other}` is not one of HS256, EdDSA")))
        }
    }
}

fn secret(
    value: Option<&str>,
    environment: Environment,
) -> Result<(JwtKeyMaterial, bool), ConfigError> {
    let Some(value) = value else {
        if environment == Environment::Production {
            return Err(ConfigError::new("JWT_SECRET", "is required when APP_ENV=production"));
        }
        return Ok((JwtKeyMaterial::Secret(random_secret()?), true));
    };
    check_secret_strength(value.as_bytes())?;
    Ok((JwtKeyMaterial::Secret(value.as_bytes().to_vec()), false))
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

fn key_pair(raw: &RawConfig) -> Result<JwtKeyMaterial, ConfigError> {
    let private_pem = read_key("JWT_PRIVATE_KEY_FILE", raw.jwt_private_key_file.as_deref())?;
    let public_pem = read_key("JWT_PUBLIC_KEY_FILE", raw.jwt_public_key_file.as_deref())?;
    Ok(JwtKeyMaterial::KeyPair { private_pem, public_pem })
}

fn read_key(variable: &str, path: Option<&str>) -> Result<Vec<u8>, ConfigError> {
    let path = path.ok_or_else(|| ConfigError::new(variable, "is required for EdDSA"))?;
    std::fs::read(path).map_err(|error| ConfigError::new(variable, format!("`{path}`: {error}")))
}

fn non_empty(variable: &str, value: Option<&str>, default: &str) -> Result<String, ConfigError> {
    let value = value.unwrap_or(default).trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}

fn ttl(variable: &str, value: Option<u64>, default: u64) -> Result<Duration, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(ConfigError::new(variable, "must be greater than 0")),
        seconds => Ok(Duration::from_secs(seconds)),
    }
}
