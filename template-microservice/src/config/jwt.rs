//! Token verification: this service accepts the access tokens of the service that issues them
//! (template-rest), so it reads the same `JWT_SECRET`, `JWT_ISSUER` and `JWT_AUDIENCE`.

use super::{ConfigError, RawConfig};

/// The shortest HMAC secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The pinned algorithm and the key that verifies it.
#[derive(Clone, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and the issuer's shared secret (`JWT_SECRET`).
    Hs256(Vec<u8>),
    /// Ed25519: the issuer's PEM public key (`JWT_PUBLIC_KEY_FILE`).
    EdDsa(Vec<u8>),
}

impl std::fmt::Debug for JwtAlgorithm {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Self::Hs256(_) => "Hs256(redacted)",
            Self::EdDsa(_) => "EdDsa(public key)",
        })
    }
}

/// Everything needed to verify access tokens.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The algorithm (`JWT_ALGORITHM`: `HS256`, the default, or `EdDSA`) and its key.
    pub algorithm: JwtAlgorithm,
    /// The required `iss` (`JWT_ISSUER`, default `template-rest`).
    pub issuer: String,
    /// The required `aud` (`JWT_AUDIENCE`, default `template-rest`).
    pub audience: String,
}

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let algorithm = match raw.jwt_algorithm.as_deref().unwrap_or("HS256") {
            "HS256" => JwtAlgorithm::Hs256(secret(raw.jwt_secret.as_deref())?),
            "EdDSA" => JwtAlgorithm::EdDsa(public_key(raw.jwt_public_key_file.as_deref())?),
            other => {
                let message = format!("`{other}` is not one of HS256, EdDSA");
                return Err(ConfigError::new("JWT_ALGORITHM", message));
            }
        };
        Ok(Self {
            algorithm,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref())?,
            audience: non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref())?,
        })
    }
}

fn secret(value: Option<&str>) -> Result<Vec<u8>, ConfigError> {
    let value = value.ok_or_else(|| {
        ConfigError::new("JWT_SECRET", "is required: use the secret of the service issuing tokens")
    })?;
    if value.len() < MIN_SECRET_BYTES {
        let message = format!("is {} bytes; use at least {MIN_SECRET_BYTES}", value.len());
        return Err(ConfigError::new("JWT_SECRET", message));
    }
    Ok(value.as_bytes().to_vec())
}

fn public_key(path: Option<&str>) -> Result<Vec<u8>, ConfigError> {
    let variable = "JWT_PUBLIC_KEY_FILE";
    let path = path.ok_or_else(|| ConfigError::new(variable, "is required for EdDSA"))?;
    std::fs::read(path).map_err(|error| ConfigError::new(variable, format!("`{path}`: {error}")))
}

fn non_empty(variable: &str, value: Option<&str>) -> Result<String, ConfigError> {
    let value = value.unwrap_or("template-rest").trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}
