//! Reads the `JWT_*` variables into [`JwtConfig`], whose types belong to [`crate::auth`]: one
//! pinned algorithm per deployment, and the key to check it.

use axum::http::Uri;

use super::{ConfigError, Environment, RawConfig};
use crate::auth::{JwksConfig, JwtConfig, JwtKey, MIN_SECRET_BYTES, PublicKeyAlgorithm};
use crate::settings::secs;

/// `JWT_ALGORITHM`, before it meets its key.
enum Requested {
    Hs256,
    PublicKey(PublicKeyAlgorithm),
}

/// A public key or key set, before it meets its algorithm.
enum PublicKey {
    Pem(Vec<u8>),
    Jwks(JwksConfig),
}

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig, environment: Environment) -> Result<Self, ConfigError> {
        let public = public_key(raw)?;
        let default_algorithm = if public.is_some() { "EdDSA" } else { "HS256" };
        let key = match parse_algorithm(raw.jwt_algorithm.as_deref().unwrap_or(default_algorithm))?
        {
            Requested::Hs256 => shared_secret(raw, public.is_some(), environment)?,
            Requested::PublicKey(algorithm) => public_key_for(algorithm, public, raw)?,
        };
        Ok(Self {
            key,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref())?,
            audience: non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref())?,
        })
    }
}

/// The secret of an HS256 deployment, which must not also name a public key.
fn shared_secret(
    raw: &RawConfig,
    has_public_key: bool,
    environment: Environment,
) -> Result<JwtKey, ConfigError> {
    if has_public_key {
        return Err(ConfigError::new(
            "JWT_ALGORITHM",
            "HS256 checks JWT_SECRET: unset JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE and \
             JWT_JWKS_URL, or choose EdDSA or RS256",
        ));
    }
    secret(raw.jwt_secret.as_deref(), environment)
}

/// The public key of an `EdDSA` or `RS256` deployment, which must not hold `JWT_SECRET`.
fn public_key_for(
    algorithm: PublicKeyAlgorithm,
    public: Option<PublicKey>,
    raw: &RawConfig,
) -> Result<JwtKey, ConfigError> {
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
    Ok(match key {
        PublicKey::Pem(pem) => JwtKey::PublicPem { algorithm, pem },
        PublicKey::Jwks(set) => JwtKey::Jwks { algorithm, set },
    })
}

fn parse_algorithm(value: &str) -> Result<Requested, ConfigError> {
    match value {
        "HS256" => Ok(Requested::Hs256),
        "EdDSA" => Ok(Requested::PublicKey(PublicKeyAlgorithm::EdDsa)),
        "RS256" => Ok(Requested::PublicKey(PublicKeyAlgorithm::Rs256)),
        other => Err(ConfigError::new(
            "JWT_ALGORITHM",
            format!("`{other}` is not one of HS256, EdDSA, RS256"),
        )),
    }
}

fn secret(value: Option<&str>, environment: Environment) -> Result<JwtKey, ConfigError> {
    let Some(value) = value else {
        if environment == Environment::Production {
            return Err(ConfigError::new("JWT_SECRET", "is required when APP_ENV=production"));
        }
        return Ok(JwtKey::EphemeralSecret(random_secret()?));
    };
    check_secret_strength(value.as_bytes())?;
    Ok(JwtKey::Secret(value.as_bytes().to_vec()))
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
fn public_key(raw: &RawConfig) -> Result<Option<PublicKey>, ConfigError> {
    let given = [&raw.jwt_public_key, &raw.jwt_public_key_file, &raw.jwt_jwks_url];
    if given.iter().filter(|value| value.is_some()).count() > 1 {
        return Err(ConfigError::new(
            "JWT_PUBLIC_KEY",
            "set only one of JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE and JWT_JWKS_URL",
        ));
    }
    if let Some(pem) = &raw.jwt_public_key {
        return Ok(Some(PublicKey::Pem(pem.replace("\\n", "\n").into_bytes())));
    }
    if let Some(path) = &raw.jwt_public_key_file {
        let pem = std::fs::read(path).map_err(|error| {
            ConfigError::new("JWT_PUBLIC_KEY_FILE", format!("`{path}`: {error}"))
        })?;
        return Ok(Some(PublicKey::Pem(pem)));
    }
    raw.jwt_jwks_url.as_deref().map(|url| jwks(raw, url)).transpose()
}

fn jwks(raw: &RawConfig, url: &str) -> Result<PublicKey, ConfigError> {
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
    Ok(PublicKey::Jwks(JwksConfig {
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
